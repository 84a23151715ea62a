import APITypes
import HTTPTransport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A listing the API sends a page at a time with a `next_cursor`: one page, or every page.
enum PagedListing {
    /// The first page, or with `all` every page, following `next_cursor` (which must not
    /// repeat); each response with its page decoded.
    static func fetch<Page: Decodable>(
        _ api: APIClient, as type: Page.Type, all: Bool, nextCursor: (Page) -> String?,
        _ endpoint: (_ cursor: String?) -> Endpoint
    ) throws(CLIError) -> [(response: HTTPResponse, page: Page)] {
        var pages: [(response: HTTPResponse, page: Page)] = []
        var cursor: String? = nil
        while true {
            let response = try api.call("GET", endpoint(cursor))
            let page = try api.decode(Page.self, response)
            pages.append((response, page))
            guard all, let next = nextCursor(page) else { return pages }
            guard next != cursor else {
                throw .invalidResponse(server: api.http.server.description, reason: "next_cursor repeats")
            }
            cursor = next
        }
    }

    /// `{"next_cursor":null,"<member>":[…]}` with the `member` items of every page, for
    /// `--all --json`: each item as the server sent it, compact, keys sorted and slashes
    /// unescaped.
    static func merged(_ responses: [HTTPResponse], member: String, server: String) throws(CLIError) -> String {
        do {
            let items = try responses.flatMap { response in
                let page = try JSONDecoder().decode([String: JSONValue].self, from: Data(response.body))
                guard case .array(let items)? = page[member] else {
                    throw CLIError.invalidResponse(server: server, reason: "a page without \(member)")
                }
                return items
            }
            let document = JSONValue.object([member: .array(items), "next_cursor": .null])
            return String(decoding: try APIJSON.encoder.encode(document), as: UTF8.self)
        } catch {
            throw .invalidResponse(server: server, reason: "cannot merge the pages: \(error)")
        }
    }
}
