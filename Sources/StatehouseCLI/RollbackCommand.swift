import APITypes
import ArgumentParser

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
