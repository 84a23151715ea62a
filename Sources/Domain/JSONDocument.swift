/// A JSON document read in place: an object's members and an array's elements as byte ranges,
/// and values decoded only when asked for. How a diff compares states of tens of megabytes
/// without building a tree of either.
///
/// `init` checks the whole document once, its strings' UTF-8 and escapes included (the scanner
/// checks every string, read or skipped). The ranges handed out are of values inside it, so
/// reading them again can only meet what `JSONValue` refuses beyond that: nesting deeper than
/// `JSONValue.maxDepth`.
struct JSONDocument {
    /// The document's bytes.
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where its one value is.
    let root: Range<Int>

    /// Checks that `bytes` hold one JSON value, surrounded by nothing but whitespace.
    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(DomainError) {
        self.bytes = bytes
        var cursor = JSONObjectScanner.Cursor(bytes: bytes)
        do throws(JSONObjectScanner.Failure) {
            cursor.skipWhitespace()
            let start = cursor.index
            try cursor.skipValue()
            self.root = start..<cursor.index
            cursor.skipWhitespace()
            guard cursor.index == bytes.count else { throw cursor.fail("unexpected data after the JSON value") }
        } catch {
            throw JSONDocument.invalid(error)
        }
    }

    /// The members of the object at `range` by key (a repeated key keeps its last value, as Go
    /// reads it), or `nil` when the value there is not an object.
    func members(_ range: Range<Int>) throws(DomainError) -> [String: Range<Int>]? {
        guard self.bytes[range.lowerBound] == UInt8(ascii: "{") else { return nil }
        var cursor = JSONObjectScanner.Cursor(bytes: self.bytes)
        cursor.index = range.lowerBound
        var members: [String: Range<Int>] = [:]
        do {
            try cursor.elements(open: UInt8(ascii: "{"), close: UInt8(ascii: "}")) {
                (cursor) throws(JSONObjectScanner.Failure) in
                let key = try cursor.string()
                try cursor.expect(UInt8(ascii: ":"), "':'")
                cursor.skipWhitespace()
                let start = cursor.index
                try cursor.skipValue()
                members[key] = start..<cursor.index
            }
        } catch {
            throw JSONDocument.invalid(error)
        }
        return members
    }

    /// The elements of the array at `range`, or `nil` when the value there is not an array.
    func elements(_ range: Range<Int>) throws(DomainError) -> [Range<Int>]? {
        guard self.bytes[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        var cursor = JSONObjectScanner.Cursor(bytes: self.bytes)
        cursor.index = range.lowerBound
        var elements: [Range<Int>] = []
        do {
            try cursor.elements(open: UInt8(ascii: "["), close: UInt8(ascii: "]")) {
                (cursor) throws(JSONObjectScanner.Failure) in
                let start = cursor.index
                try cursor.skipValue()
                elements.append(start..<cursor.index)
            }
        } catch {
            throw JSONDocument.invalid(error)
        }
        return elements
    }

    /// The value at `range`, decoded; `nil` when there is no range.
    func value(_ range: Range<Int>?) throws(DomainError) -> JSONValue? {
        guard let range else { return nil }
        var cursor = JSONObjectScanner.Cursor(bytes: self.bytes)
        cursor.index = range.lowerBound
        do {
            return try cursor.value(depth: 0)
        } catch {
            throw JSONDocument.invalid(error)
        }
    }

    /// Whether the value at `range` is `null`.
    func isNull(_ range: Range<Int>) -> Bool { self.bytes[range.lowerBound] == UInt8(ascii: "n") }

    /// Whether the value at `range` is an object.
    func isObject(_ range: Range<Int>) -> Bool { self.bytes[range.lowerBound] == UInt8(ascii: "{") }

    /// Whether `range` here and `otherRange` in `other` are both missing, or hold the same bytes.
    func same(_ range: Range<Int>?, as otherRange: Range<Int>?, in other: JSONDocument) -> Bool {
        guard let range, let otherRange else { return range == nil && otherRange == nil }
        return range.count == otherRange.count
            && UnsafeBufferPointer(rebasing: self.bytes[range]).elementsEqual(
                UnsafeBufferPointer(rebasing: other.bytes[otherRange]))
    }

    private static func invalid(_ failure: JSONObjectScanner.Failure) -> DomainError {
        DomainError.invalidInput("not valid JSON: \(failure.message) at byte \(failure.offset)")
    }
}
