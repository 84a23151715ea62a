import APITypes
import ArgumentParser

/// `statehouse restore NAME`: brings a soft-deleted state back (admin).
public struct RestoreCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a soft-deleted state (needs admin access).")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// The state.
    @Argument(help: "The state name.")
    public var name: String

    /// Which deleted state of that name.
    @Option(
        help: """
            The ID of the deleted state to restore, from 'statehouse states list --deleted' \
            (default: the most recently deleted one).
            """)
    public var id: Int?

    /// Creates the command.
    public init() {}

    /// Sends `POST …/restore`, with a body only when `--id` is given.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let response = try api.call("POST", .restore(self.name), body: self.id.map { RestoreRequest(id: Int64($0)) })
        if self.connection.json { return response.text }
        return Render.restored(try api.decode(StateDetail.self, response))
    }
}
