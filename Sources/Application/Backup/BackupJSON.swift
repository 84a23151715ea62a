import Domain
import SystemSupport

/// The JSON of a backup's files, written by hand in a fixed member order so that exports are
/// plain to read and compare.
enum BackupJSON {
    /// An object with `members` in order; each value already encoded.
    static func object(_ members: KeyValuePairs<String, String>) -> String {
        "{" + members.map { "\(jsonStringLiteral($0.key)):\($0.value)" }.joined(separator: ",") + "}"
    }

    /// An array with one element a line.
    static func lines(_ elements: [String]) -> String {
        elements.isEmpty ? "[]" : "[\n  " + elements.joined(separator: ",\n  ") + "\n]"
    }

    /// A string, or `null`.
    static func string(_ value: String?) -> String { value.map(jsonStringLiteral) ?? "null" }

    /// A number, or `null`.
    static func number(_ value: Int64?) -> String { value.map { String($0) } ?? "null" }

    /// An RFC 3339 time with microseconds, or `null`.
    static func time(_ value: Timestamp?) -> String { Self.string(value?.description) }

    /// Lowercase hexadecimal.
    static func hex(_ bytes: [UInt8]) -> String { jsonStringLiteral(Hex.encode(bytes)) }
}

/// One JSON object of a backup, read member by member; every error names the file.
struct BackupObject {
    private let members: [String: JSONValue]
    let file: String

    /// The object in `bytes`, nested at most ``BackupLayout/maxDepth`` deep.
    init(parsing bytes: [UInt8], file: String) throws(ApplicationError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes, maxDepth: BackupLayout.maxDepth)
        } catch {
            throw ApplicationError(.invalidInput, "\(file): \(error)")
        }
        try self.init(value, file: file)
    }

    /// `value`, which must be an object.
    init(_ value: JSONValue, file: String) throws(ApplicationError) {
        guard case .object(let members) = value else {
            throw ApplicationError(.invalidInput, "\(file): expected a JSON object")
        }
        self.members = members
        self.file = file
    }

    private func invalid(_ key: String, _ expected: String) -> ApplicationError {
        ApplicationError(.invalidInput, "\(self.file): \"\(key)\" must be \(expected)")
    }

    /// The member `key`, `nil` when it is absent or `null`.
    private func optional(_ key: String) -> JSONValue? {
        guard let value = self.members[key], value != .null else { return nil }
        return value
    }

    func optionalString(_ key: String) throws(ApplicationError) -> String? {
        guard let value = self.optional(key) else { return nil }
        guard case .string(let text) = value else { throw self.invalid(key, "a string") }
        return text
    }

    func string(_ key: String) throws(ApplicationError) -> String {
        guard let text = try self.optionalString(key) else { throw self.invalid(key, "a string") }
        return text
    }

    func optionalNumber(_ key: String) throws(ApplicationError) -> Int64? {
        guard let value = self.optional(key) else { return nil }
        guard case .number(let text) = value, let number = Int64(text) else {
            throw self.invalid(key, "a whole number")
        }
        return number
    }

    func number(_ key: String) throws(ApplicationError) -> Int64 {
        guard let number = try self.optionalNumber(key) else { throw self.invalid(key, "a whole number") }
        return number
    }

    func bool(_ key: String) throws(ApplicationError) -> Bool {
        guard case .bool(let flag) = self.members[key] else { throw self.invalid(key, "true or false") }
        return flag
    }

    func optionalTime(_ key: String) throws(ApplicationError) -> Timestamp? {
        guard let text = try self.optionalString(key) else { return nil }
        do {
            return try Timestamp(rfc3339: text)
        } catch {
            throw self.invalid(key, "an RFC 3339 time")
        }
    }

    func time(_ key: String) throws(ApplicationError) -> Timestamp {
        guard let time = try self.optionalTime(key) else { throw self.invalid(key, "an RFC 3339 time") }
        return time
    }

    /// A digest of `count` bytes written in hexadecimal.
    func digest(_ key: String, count: Int) throws(ApplicationError) -> [UInt8] {
        guard let bytes = Hex.decode(try self.string(key)), bytes.count == count else {
            throw self.invalid(key, "\(count * 2) hexadecimal digits")
        }
        return bytes
    }

    func optionalObject(_ key: String) throws(ApplicationError) -> BackupObject? {
        guard let value = self.optional(key) else { return nil }
        guard case .object = value else { throw self.invalid(key, "an object") }
        return try BackupObject(value, file: self.file)
    }

    func object(_ key: String) throws(ApplicationError) -> BackupObject {
        guard let object = try self.optionalObject(key) else { throw self.invalid(key, "an object") }
        return object
    }

    /// The elements of the array `key`.
    func array(_ key: String) throws(ApplicationError) -> [JSONValue] {
        guard case .array(let elements) = self.members[key] else { throw self.invalid(key, "an array") }
        return elements
    }

    /// The members of the object `key`, by name.
    func members(_ key: String) throws(ApplicationError) -> [String: JSONValue] {
        guard case .object(let members) = self.members[key] else { throw self.invalid(key, "an object") }
        return members
    }
}
