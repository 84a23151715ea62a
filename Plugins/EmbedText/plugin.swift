import PackagePlugin

/// Compiles `docs/openapi.json` into the target as `OpenAPIDocument.json`, so the document is a
/// real file in the repository and the server serves exactly that file.
@main
struct EmbedOpenAPIDocument: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "docs/openapi.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument+JSON.swift")
        return [
            .buildCommand(
                displayName: "Embedding docs/openapi.json", executable: try context.tool(named: "EmbedText").url,
                arguments: [input.path(), output.path(), "OpenAPIDocument", "json"], inputFiles: [input],
                outputFiles: [output])
        ]
    }
}
