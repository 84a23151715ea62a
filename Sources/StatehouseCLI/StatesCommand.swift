import APITypes
import ArgumentParser

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
            var pages: [HTTPResponse] = []
            var states: [StateSummary] = []
            var cursor: String? = nil
            var more = false
            while true {
                let response = try api.call(
                    "GET", .states(prefix: self.prefix, limit: self.limit, cursor: cursor, deleted: self.deleted))
                if self.connection.json && !self.all { return response.text }
                let page = try api.decode(StateList.self, response)
                pages.append(response)
                states += page.states
                more = page.nextCursor != nil
                guard self.all, let next = page.nextCursor else { break }
                guard next != cursor else {
                    throw .invalidResponse(server: api.http.server.description, reason: "next_cursor repeats")
                }
                cursor = next
            }
            if self.connection.json { return try List.merged(pages, server: api.http.server.description) }
            return Render.states(states, deleted: self.deleted) + (more ? "\n(more states: use --all)" : "")
        }

        /// `{"next_cursor":null,"states":[…]}` with the states of every page, for `--all --json`: each
        /// state as the server sent it, compact, keys sorted and slashes unescaped.
        private static func merged(_ pages: [HTTPResponse], server: String) throws(CLIError) -> String {
            /// A page's `states`, every member kept.
            struct Page: Decodable {
                var states: [JSONValue]
            }
            do {
                let states = try pages.flatMap { page in
                    try JSONDecoder().decode(Page.self, from: Data(page.body)).states
                }
                let document = JSONValue.object(["states": .array(states), "next_cursor": .null])
                return String(decoding: try APIJSON.encoder.encode(document), as: UTF8.self)
            } catch {
                throw .invalidResponse(server: server, reason: "cannot merge the pages: \(error)")
            }
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
