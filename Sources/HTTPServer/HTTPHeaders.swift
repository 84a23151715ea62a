/// An ordered list of header fields with case-insensitive lookup.
///
/// Names keep the case they arrived with; duplicates are kept in order.
public struct HTTPHeaders: Equatable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field.
    public struct Field: Equatable, Sendable {
        /// The field name as sent.
        public var name: String
        /// The field value, with surrounding whitespace removed.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    private var fields: [Field]

    /// An empty header list.
    public init() { self.fields = [] }

    /// Headers from name/value pairs, in order.
    public init(_ pairs: [(String, String)]) {
        self.fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Headers from a literal, in order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of fields.
    public var count: Int { self.fields.count }

    /// Iterates over the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> { self.fields.makeIterator() }

    /// Appends a field, keeping any existing ones with the same name.
    public mutating func add(name: String, value: String) {
        self.fields.append(Field(name: name, value: value))
    }

    /// Replaces every field called `name` with one field.
    public mutating func replaceOrAdd(name: String, value: String) {
        self.remove(name: name)
        self.add(name: name, value: value)
    }

    /// Removes every field called `name`.
    public mutating func remove(name: String) {
        self.fields.removeAll { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// The first value of `name`, or `nil`.
    public subscript(name: String) -> String? {
        self.fields.first { HTTPHeaders.namesEqual($0.name, name) }?.value
    }

    /// Every value of `name`, in order.
    public func values(of name: String) -> [String] {
        self.fields.filter { HTTPHeaders.namesEqual($0.name, name) }.map(\.value)
    }

    /// Whether any field called `name` exists.
    public func contains(_ name: String) -> Bool {
        self.fields.contains { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// The comma-separated elements of every `name` field, lowercased and trimmed
    /// (for list headers such as `Connection` and `Transfer-Encoding`).
    public func tokens(of name: String) -> [String] {
        self.values(of: name).flatMap { value in
            value.split(separator: ",").map { $0.trimmingASCIIWhitespace().asciiLowercased() }
        }.filter { !$0.isEmpty }
    }

    /// Compares two field names without regard to ASCII case.
    static func namesEqual(_ lhs: String, _ rhs: String) -> Bool {
        let a = lhs.utf8
        let b = rhs.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            x == y || (x | 0x20) == (y | 0x20) && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A
        }
    }
}

extension HTTPHeaders {
    /// Whether `Accept-Encoding` allows gzip (a `q=0` refuses it).
    public var acceptsGzip: Bool {
        var gzip: Bool? = nil
        var wildcard = false
        for element in self.values(of: "Accept-Encoding").flatMap({ $0.split(separator: ",") }) {
            let parts = element.split(separator: ";").map { $0.trimmingASCIIWhitespace().lowercased() }
            guard let coding = parts.first else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let refused = quality <= 0
            if coding == "gzip" || coding == "x-gzip" { gzip = !refused } else if coding == "*" { wildcard = !refused }
        }
        return gzip ?? wildcard
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs.
    func trimmingASCIIWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }

    /// The string with ASCII letters lowercased; other characters unchanged.
    func asciiLowercased() -> String {
        String(decoding: self.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
