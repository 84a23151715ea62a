import APITypes
import ArgumentParser

/// `statehouse states`: list and show states.
public struct StatesCommand: ParsableCommand {
    /// The command's name and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "states", abstract: "List and inspect states on a server.", subcommands: [List.self, Show.self])

    /// Creates the command.
    public init() {}

    /// `statehouse states list`.
    public struct List: APICommand {
        /// The command's name and help.
        public static let configuration = CommandConfiguration(
            abstract: "List states (or soft-deleted ones) you may read.")

        /// Server and output options.
        @OptionGroup public var connection: ConnectionOptions

        /// Only names starting with this.
        @Option(help: "Only states whose name starts with this.")
        public var prefix: String?

        /// Only names containing this.
        @Option(help: "Only states whose name contains this text (ASCII letters in either case).")
        public var contains: String?

        /// List soft-deleted states instead.
        @Flag(help: "List soft-deleted states instead of live ones.")
        public var deleted = false

        /// The page size.
        @Option(help: "States per page (1-1000; the server's default is 100).")
        public var limit: Int?

        /// Follow `next_cursor` to the end.
        @Flag(help: "Fetch every page.")
        public var all = false

        /// Creates the command.
        public init() {}

        /// Checks `--limit`.
        public func validate() throws { try validateLimit(self.limit) }

        /// Fetches one page, or every page with `--all` (as one JSON document with `--json`).
        public func perform(_ api: APIClient) throws(CLIError) -> String {
            let endpoint = { (cursor: String?) in
                Endpoint.states(
                    prefix: self.prefix, contains: self.contains, limit: self.limit, cursor: cursor,
                    deleted: self.deleted)
            }
            if self.connection.json && !self.all { return try api.call("GET", endpoint(nil)).text }
            let pages = try PagedListing.fetch(
                api, as: StateList.self, all: self.all, nextCursor: \.nextCursor, endpoint)
            if self.connection.json {
                return try PagedListing.merged(
                    pages.map(\.response), member: "states", server: api.http.server.description)
            }
            let more = pages.last?.page.nextCursor != nil
            return Render.states(pages.flatMap(\.page.states), deleted: self.deleted)
                + (more ? "\n(more states: use --all)" : "")
        }
    }

    /// `statehouse states show NAME`.
    public struct Show: APICommand {
        /// The command's name and help.
        public static let configuration = CommandConfiguration(
            abstract: "Show one state: version, serial, lineage, lock and output names.")

        /// Server and output options.
        @OptionGroup public var connection: ConnectionOptions

        /// The state.
        @Argument(help: "The state name, such as team/app/prod.")
        public var name: String

        /// Creates the command.
        public init() {}

        /// Fetches and renders the state.
        public func perform(_ api: APIClient) throws(CLIError) -> String {
            let response = try api.call("GET", .state(self.name))
            if self.connection.json { return response.text }
            return Render.state(try api.decode(StateDetail.self, response))
        }
    }
}

/// Rejects a `--limit` outside the API's 1…1000.
func validateLimit(_ limit: Int?) throws {
    if let limit, !(1...1000).contains(limit) {
        throw ValidationError("--limit must be between 1 and 1000")
    }
}
