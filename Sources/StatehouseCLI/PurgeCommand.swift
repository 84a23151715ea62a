import APITypes
import ArgumentParser

/// `statehouse purge NAME NUMBER`: deletes one version's content, keeping its record (admin).
public struct PurgeCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Purge an old version's content, such as a leaked secret; its record stays (needs admin access).")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// The state.
    @Argument(help: "The state name.")
    public var name: String

    /// The version to purge.
    @Argument(help: "The version number to purge (not the current one).")
    public var number: Int

    /// Why, for the audit log and the version's record.
    @Option(help: "Why, for the audit log and the version list.")
    public var reason: String?

    /// Creates the command.
    public init() {}

    /// Sends `DELETE …/versions/{number}`, with a body only when `--reason` is given.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let response = try api.call(
            "DELETE", .version(self.name, self.number), body: self.reason.map(PurgeRequest.init(reason:)))
        if self.connection.json { return response.text }
        return Render.purged(try api.decode(Version.self, response), name: self.name)
    }
}
