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

/// `statehouse rollback NAME --to N`: makes a new version with version N's content.
public struct RollbackCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Roll a state back: a new version with an older version's content (needs write access).")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// The state.
    @Argument(help: "The state name.")
    public var name: String

    /// The version whose content to restore.
    @Option(help: "The version to roll back to.")
    public var to: Int

    /// Why, for the audit log.
    @Option(help: "Why, for the audit log.")
    public var reason: String?

    /// Creates the command.
    public init() {}

    /// Sends `POST …/rollback`.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let response = try api.call(
            "POST", .rollback(self.name), body: RollbackRequest(version: Int64(self.to), reason: self.reason))
        if self.connection.json { return response.text }
        return Render.rolledBack(try api.decode(RollbackResult.self, response), name: self.name)
    }
}

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
