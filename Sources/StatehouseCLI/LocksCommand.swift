import APITypes
import ArgumentParser

/// `statehouse locks`: held locks, oldest first.
public struct LocksCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "locks", abstract: "List held locks, oldest first.")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// Only locks held at least this long.
    @Option(help: "Only locks held at least this long: 90s, 15m, 2h, 7d or seconds.")
    public var olderThan: String?

    /// The page size.
    @Option(help: "Locks per page (1-1000; the server's default is 100).")
    public var limit: Int?

    /// Follow `next_cursor` to the end.
    @Flag(help: "Fetch every page.")
    public var all = false

    /// Creates the command.
    public init() {}

    /// Checks `--limit`.
    public func validate() throws { try validateLimit(self.limit) }

    /// Fetches one page of locks, or every page with `--all` (as one JSON document with `--json`).
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        let endpoint = { (cursor: String?) in
            Endpoint.locks(olderThan: self.olderThan, limit: self.limit, cursor: cursor)
        }
        if self.connection.json && !self.all { return try api.call("GET", endpoint(nil)).text }
        let pages = try PagedListing.fetch(api, as: LockList.self, all: self.all, nextCursor: \.nextCursor, endpoint)
        if self.connection.json {
            return try PagedListing.merged(pages.map(\.response), member: "locks", server: api.http.server.description)
        }
        let more = pages.last?.page.nextCursor != nil
        return Render.locks(pages.flatMap(\.page.locks)) + (more ? "\n(more locks: use --all)" : "")
    }
}
