import SystemSupport

/// A request target split into a percent-decoded path and query parameters.
public struct RequestTarget: Equatable, Sendable {
    /// One `name=value` pair of the query string, percent-decoded (`+` reads as a space).
    public struct QueryItem: Equatable, Sendable {
        /// The decoded name.
        public var name: String
        /// The decoded value; empty when the pair had no `=`.
        public var value: String

        /// Creates a query item.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The path, percent-decoded, always starting with `/` (or `*` for `OPTIONS *`).
    public var path: String
    /// The path exactly as sent, still percent-encoded.
    public var rawPath: String
    /// The query parameters in order.
    public var query: [QueryItem]

    /// Parses an origin-form (`/a/b?x=1`), absolute-form (`http://host/a`) or asterisk-form target.
    ///
    /// Fails on anything else, on invalid percent escapes, on an encoded NUL and on paths that
    /// are not UTF-8.
    public init(parsing target: String) throws(HTTPError) {
        if target == "*" {
            self.path = "*"
            self.rawPath = "*"
            self.query = []
            return
        }
        var pathAndQuery = Substring(target)
        if !pathAndQuery.hasPrefix("/") {
            pathAndQuery = try RequestTarget.stripSchemeAndAuthority(pathAndQuery)
        }
        let rawQuery: Substring
        if let question = pathAndQuery.firstIndex(of: "?") {
            self.rawPath = String(pathAndQuery[..<question])
            rawQuery = pathAndQuery[pathAndQuery.index(after: question)...]
        } else {
            self.rawPath = String(pathAndQuery)
            rawQuery = ""
        }
        self.path = try RequestTarget.percentDecode(self.rawPath, plusAsSpace: false)
        self.query = try RequestTarget.parseQuery(rawQuery)
    }

    /// `http://host:80/a?b` → `/a?b`; `http://host` → `/`.
    private static func stripSchemeAndAuthority(_ target: Substring) throws(HTTPError) -> Substring {
        let lowered = target.prefix(8).asciiLowercased()
        let afterScheme: Substring
        if lowered.hasPrefix("http://") {
            afterScheme = target.dropFirst(7)
        } else if lowered.hasPrefix("https://") {
            afterScheme = target.dropFirst(8)
        } else {
            throw HTTPError(.badRequest, "request target must start with '/'")
        }
        guard let start = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else {
            return "/"
        }
        let rest = afterScheme[start...]
        return rest.hasPrefix("?") ? "/" + rest : rest
    }

    private static func parseQuery(_ raw: Substring) throws(HTTPError) -> [QueryItem] {
        var items: [QueryItem] = []
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let name = equals.map { pair[..<$0] } ?? pair
            let value = equals.map { pair[pair.index(after: $0)...] } ?? ""
            items.append(
                QueryItem(
                    name: try RequestTarget.percentDecode(name, plusAsSpace: true),
                    value: try RequestTarget.percentDecode(value, plusAsSpace: true)))
        }
        return items
    }

    /// The first value of the query parameter `name` (case-sensitive), or `nil`.
    public func queryValue(_ name: String) -> String? {
        self.query.first { $0.name == name }?.value
    }

    /// Decodes `%XX` escapes; rejects malformed escapes, NUL and invalid UTF-8.
    public static func percentDecode(_ text: some StringProtocol, plusAsSpace: Bool) throws(HTTPError) -> String {
        let utf8 = text.utf8
        if !utf8.contains(UInt8(ascii: "%")) && !(plusAsSpace && utf8.contains(UInt8(ascii: "+"))) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Hex.value(of:)),
                    let low = iterator.next().flatMap(Hex.value(of:))
                else {
                    throw HTTPError(.badRequest, "malformed percent-encoding in request target")
                }
                let decoded = high << 4 | low
                if decoded == 0 {
                    throw HTTPError(.badRequest, "encoded NUL in request target")
                }
                bytes.append(decoded)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw HTTPError(.badRequest, "request target is not valid UTF-8 once decoded")
        }
        return decoded
    }
}
