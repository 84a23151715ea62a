import ArgumentParser

/// `statehouse audit`: the audit log, oldest first.
public struct AuditCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the audit log, oldest first.")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// Only this state's events.
    @Option(help: "Only events of this state (exact name).")
    public var state: String?

    /// Only events from this time on.
    @Option(help: "Only events at or after this RFC 3339 time, such as 2026-11-22T10:00:00Z.")
    public var since: String?

    /// The page size.
    @Option(help: "Events to list (1-1000; the server's default is 100).")
    public var limit: Int?

    /// Only events after this id.
    @Option(help: "Only events after this event ID (for the next page).")
    public var after: Int?

    /// Creates the command.
    public init() {}

    /// Checks `--limit`.
    public func validate() throws { try validateLimit(self.limit) }

    /// Fetches and renders one page, with a hint for the next.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let response = try api.call(
            "GET", .audit(state: self.state, since: self.since, limit: self.limit, after: self.after))
        if self.connection.json { return response.text }
        let list = try api.decode(AuditList.self, response)
        return Render.audit(list.events) + (list.nextAfter.map { "\n(more events: --after \($0))" } ?? "")
    }
}
