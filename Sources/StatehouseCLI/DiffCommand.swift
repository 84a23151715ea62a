import APITypes
import ArgumentParser

/// `statehouse diff NAME`: what changed between two versions.
public struct DiffCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Show resources and outputs that changed between two versions.")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// The state.
    @Argument(help: "The state name.")
    public var name: String

    /// The older version.
    @Option(help: "The older version (default: the one before --to).")
    public var from: Int?

    /// The newer version.
    @Option(help: "The newer version (default: the current one).")
    public var to: Int?

    /// Creates the command.
    public init() {}

    /// Fetches and renders the diff.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let response = try api.call("GET", .diff(self.name, from: self.from, to: self.to))
        if self.connection.json { return response.text }
        return Render.diff(try api.decode(Diff.self, response), name: self.name)
    }
}
