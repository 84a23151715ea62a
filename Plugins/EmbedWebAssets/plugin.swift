import Foundation
import PackagePlugin

/// Compiles every file in the target's `Assets` folder (the web UI's templates, style sheet and
/// script) into the target as a `WebAssets` property named after the file: `state.html` becomes
/// `WebAssets.stateHTML`, `style.css` `WebAssets.styleCSS`. The files stay real files in the
/// repository, and the binary needs nothing beside it.
@main
struct EmbedWebAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "Sources/\(target.name)/Assets")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path()).filter { !$0.hasPrefix(".") }
        let tool = try context.tool(named: "EmbedText").url
        return names.sorted().map { name in
            let input = folder.appending(path: name)
            let output = context.pluginWorkDirectoryURL.appending(path: "WebAssets+\(name).swift")
            return .buildCommand(
                displayName: "Embedding \(name)", executable: tool,
                arguments: [input.path(), output.path(), "WebAssets", Self.property(name)], inputFiles: [input],
                outputFiles: [output])
        }
    }

    /// `state-page.html` → `statePageHTML`.
    static func property(_ file: String) -> String {
        let parts = file.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        guard let first = parts.first, let last = parts.last, parts.count > 1 else { return file }
        let middle = parts.dropFirst().dropLast().map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return first + middle.joined() + last.uppercased()
    }
}
