import APITypes
import ArgumentParser

/// `statehouse unlock NAME`: force-unlocks a state (admin).
public struct UnlockCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Force-unlock a state (needs admin access).")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// The state.
    @Argument(help: "The state name.")
    public var name: String

    /// Only unlock when this lock is the one held.
    @Option(help: "Only remove the lock if it has this ID (otherwise the server answers 409).")
    public var id: String?

    /// Why, for the audit log.
    @Option(help: "Why, for the audit log.")
    public var reason: String?

    /// Creates the command.
    public init() {}

    /// Sends `DELETE …/lock`, with a body only when `--id` or `--reason` is given.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let body = self.id == nil && self.reason == nil ? nil : ForceUnlockRequest(id: self.id, reason: self.reason)
        let response = try api.call("DELETE", .lock(self.name), body: body)
        if self.connection.json { return response.text }
        return Render.unlocked(try api.decode(ForceUnlockResult.self, response), name: self.name)
    }
}
