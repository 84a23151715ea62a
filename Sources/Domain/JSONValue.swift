/// A parsed JSON document, for reading whole states (diffs).
///
/// Numbers keep their literal text, so `1` and `1.0` differ; Terraform writes each number one way.
/// An object keeps the last value of a repeated key, as Go's `encoding/json` does.
public indirect enum JSONValue: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as its literal text.
    case number(String)
    /// A string, escapes decoded.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, by key.
    case object([String: JSONValue])

    /// The deepest nesting accepted; state files are far shallower.
    public static let maxDepth = 256

    /// Parses `bytes` as one JSON value, nested at most `maxDepth` containers deep.
    public init(parsing bytes: [UInt8], maxDepth: Int = JSONValue.maxDepth) throws(DomainError) {
        do {
            self = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONObjectScanner.Failure) in
                var cursor = JSONObjectScanner.Cursor(bytes: buffer)
                let value = try cursor.value(depth: 0, limit: min(maxDepth, JSONValue.maxDepth))
                cursor.skipWhitespace()
                guard cursor.index == buffer.count else { throw cursor.fail("unexpected data after the JSON value") }
                return value
            }
        } catch {
            throw DomainError.invalidInput("not valid JSON: \(error.message) at byte \(error.offset)")
        }
    }

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}

extension JSONObjectScanner.Cursor {
    /// Decodes one value nested `depth` containers deep, refusing more than `limit`.
    mutating func value(depth: Int, limit: Int = JSONValue.maxDepth) throws(JSONObjectScanner.Failure) -> JSONValue {
        guard depth < limit else { throw self.fail("nested too deeply") }
        self.skipWhitespace()
        switch self.current {
        case UInt8(ascii: "{"):
            var members: [String: JSONValue] = [:]
            try self.elements(open: UInt8(ascii: "{"), close: UInt8(ascii: "}")) {
                (cursor) throws(JSONObjectScanner.Failure) in
                let key = try cursor.string()
                try cursor.expect(UInt8(ascii: ":"), "':'")
                members[key] = try cursor.value(depth: depth + 1, limit: limit)
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try self.elements(open: UInt8(ascii: "["), close: UInt8(ascii: "]")) {
                (cursor) throws(JSONObjectScanner.Failure) in
                elements.append(try cursor.value(depth: depth + 1, limit: limit))
            }
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try self.string())
        case UInt8(ascii: "t"):
            try self.literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.literal("null")
            return .null
        case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")):
            let start = self.index
            try self.number()
            return .number(
                String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self))
        default:
            throw self.fail("expected a JSON value")
        }
    }
}
