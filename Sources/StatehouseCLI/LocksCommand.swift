import APITypes
import ArgumentParser

/// `statehouse locks`: every held lock, oldest first.
public struct LocksCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "locks", abstract: "List held locks, oldest first.")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// Only locks held at least this long.
    @Option(help: "Only locks held at least this long: 90s, 15m, 2h, 7d or seconds.")
    public var olderThan: String?

    /// Creates the command.
    public init() {}

    /// Fetches and renders the locks.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let response = try api.call("GET", .locks(olderThan: self.olderThan))
        if self.connection.json { return response.text }
        return Render.locks(try api.decode(LockList.self, response).locks)
    }
}
