import APITypes
import ArgumentParser

/// `statehouse versions NAME`: a state's stored versions, newest first.
public struct VersionsCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "versions", abstract: "List a state's versions, newest first.")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// The state.
    @Argument(help: "The state name.")
    public var name: String

    /// The page size.
    @Option(help: "Versions to list (1-1000; the server's default is 100).")
    public var limit: Int?

    /// Only versions numbered below this.
    @Option(help: "Only versions numbered below this (for the next page).")
    public var before: Int?

    /// Creates the command.
    public init() {}

    /// Checks `--limit`.
    public func validate() throws { try validateLimit(self.limit) }

    /// Fetches and renders one page, with a hint for the next.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let response = try api.call("GET", .versions(self.name, limit: self.limit, before: self.before))
        if self.connection.json { return response.text }
        let list = try api.decode(VersionList.self, response)
        return Render.versions(list.versions) + (list.nextBefore.map { "\n(older versions: --before \($0))" } ?? "")
    }
}
