/// Validates a JSON document that must be one object, and decodes only the top-level fields
/// asked for. Everything else is checked for syntax and skipped without building values, so a
/// tens-of-megabytes state costs one linear pass and no allocations beyond the fields read.
///
/// Like Go's `encoding/json` (which Terraform uses), a key that appears twice keeps its last value.
/// Asked to, the scanner refuses instead any key Go would read as one of the requested fields
/// other than that field's first exact spelling (see ``goFold(_:)``), so that the server never
/// reads a document differently from Terraform and OpenTofu.
struct JSONObjectScanner {
    /// A decoded top-level value.
    enum Value: Equatable {
        case string(String)
        /// A number, as its literal text.
        case number(String)
        /// An array, by its number of elements.
        case array(count: Int)
        /// An object, by its keys in order.
        case object(keys: [String])
        /// `true`, `false` or `null`.
        case other
    }

    /// A top-level value and where its bytes are in the document.
    struct Field: Equatable {
        let value: Value
        let range: Range<Int>
    }

    /// Why a document is not a JSON object, or is one that Go would read differently.
    struct Failure: Error, Equatable {
        let message: String
        let offset: Int
        /// Set when the key at `offset` names a requested field a second time, or in another
        /// spelling that Go reads as that field.
        var repeated: Repetition? = nil

        /// Why `document` ("state", "lock info") is refused, as a sentence for the client.
        func reason(for document: String) -> String {
            guard let repeated = self.repeated else {
                return "\(document) is not a JSON object: \(self.message) at byte \(self.offset)"
            }
            let field = "\"\(repeated.field)\""
            guard repeated.key == repeated.field else {
                return
                    "\(document) key \"\(repeated.key)\" at byte \(self.offset) would be read as \(field) by Terraform "
                    + "and OpenTofu (Go matches JSON keys case-insensitively); send \(field) once, spelt exactly so"
            }
            return "\(document) has \(field) twice (again at byte \(self.offset)) and Terraform and OpenTofu would "
                + "read the last one; send it once"
        }
    }

    /// A top-level key that Go reads as `field`, found after `field` itself or instead of it.
    struct Repetition: Equatable {
        /// The key as sent (escapes decoded).
        let key: String
        /// The requested field it stands for.
        let field: String
    }

    /// The values of `keys` found at the top level of `document`; with `unambiguous`, each must
    /// appear at most once and be the only key Go reads as that field.
    static func scan(_ document: [UInt8], keys: Set<String>, unambiguous: Bool = false) throws(Failure)
        -> [String: Value]
    {
        try self.fields(document, keys: keys, unambiguous: unambiguous).mapValues(\.value)
    }

    /// The values of `keys` found at the top level of `document`, with their byte ranges; with
    /// `unambiguous`, each must appear at most once and be the only key Go reads as that field.
    static func fields(_ document: [UInt8], keys: Set<String>, unambiguous: Bool = false) throws(Failure)
        -> [String: Field]
    {
        try document.withUnsafeBufferPointer { (bytes) throws(Failure) in
            var scanner = Cursor(bytes: bytes)
            return try scanner.topLevelObject(keys: keys, unambiguous: unambiguous)
        }
    }

    /// `key` as Go's `encoding/json` compares keys with struct fields: ASCII letters upper-cased,
    /// and the two non-ASCII characters that Unicode simple case folding maps onto ASCII letters,
    /// ſ (U+017F, folds with s) and the Kelvin sign (U+212A, folds with k), as `S` and `K`. `nil`
    /// for a key with any other non-ASCII character: it can never match an ASCII name.
    static func goFold(_ key: String) -> String? {
        var folded = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            switch scalar.value {
            case 0x61...0x7A: folded.append(Unicode.Scalar(UInt8(scalar.value - 0x20)))
            case 0...0x7F: folded.append(scalar)
            case 0x017F: folded.append("S")
            case 0x212A: folded.append("K")
            default: return nil
            }
        }
        return String(folded)
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func fail(_ message: String) -> Failure { Failure(message: message, offset: self.index) }

        var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

        mutating func skipWhitespace() {
            while self.index < self.bytes.count {
                switch self.bytes[self.index] {
                case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
                default: return
                }
            }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
            self.skipWhitespace()
            guard self.current == byte else { throw self.fail("expected \(what)") }
            self.index += 1
        }

        mutating func topLevelObject(keys: Set<String>, unambiguous: Bool) throws(Failure) -> [String: Field] {
            self.skipWhitespace()
            guard self.current == UInt8(ascii: "{") else { throw self.fail("not a JSON object") }
            self.index += 1
            var found: [String: Field] = [:]
            // The requested fields by their folded names, when each must be unambiguous.
            var folded: [String: String] = [:]
            if unambiguous {
                for key in keys { folded[JSONObjectScanner.goFold(key) ?? key] = key }
            }
            self.skipWhitespace()
            if self.current == UInt8(ascii: "}") {
                self.index += 1
            } else {
                while true {
                    self.skipWhitespace()
                    let keyStart = self.index
                    let key = try self.string()
                    if !folded.isEmpty, let fold = JSONObjectScanner.goFold(key), let field = folded[fold],
                        key != field || found[field] != nil
                    {
                        throw Failure(
                            message: "ambiguous key", offset: keyStart,
                            repeated: Repetition(key: key, field: field))
                    }
                    try self.expect(UInt8(ascii: ":"), "':'")
                    self.skipWhitespace()
                    if keys.contains(key) {
                        let start = self.index
                        let value = try self.describedValue()
                        found[key] = Field(value: value, range: start..<self.index)
                    } else {
                        try self.skipValue()
                    }
                    self.skipWhitespace()
                    if self.current == UInt8(ascii: ",") {
                        self.index += 1
                        continue
                    }
                    try self.expect(UInt8(ascii: "}"), "',' or '}'")
                    break
                }
            }
            self.skipWhitespace()
            guard self.index == self.bytes.count else { throw self.fail("unexpected data after the JSON object") }
            return found
        }

        /// Decodes a string or a number, counts an array's elements, lists an object's keys;
        /// skips anything else.
        mutating func describedValue() throws(Failure) -> Value {
            switch self.current {
            case UInt8(ascii: "\""):
                return .string(try self.string())
            case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")):
                let start = self.index
                try self.number()
                return .number(
                    String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self))
            case UInt8(ascii: "["):
                var count = 0
                try self.elements(open: UInt8(ascii: "["), close: UInt8(ascii: "]")) { (cursor) throws(Failure) in
                    try cursor.skipValue()
                    count += 1
                }
                return .array(count: count)
            case UInt8(ascii: "{"):
                var keys: [String] = []
                try self.elements(open: UInt8(ascii: "{"), close: UInt8(ascii: "}")) { (cursor) throws(Failure) in
                    keys.append(try cursor.string())
                    try cursor.expect(UInt8(ascii: ":"), "':'")
                    try cursor.skipValue()
                }
                return .object(keys: keys)
            default:
                try self.skipValue()
                return .other
            }
        }

        /// Walks a container, calling `element` for each element (after its whitespace).
        mutating func elements(open: UInt8, close: UInt8, _ element: (inout Cursor) throws(Failure) -> Void)
            throws(Failure)
        {
            guard self.current == open else { throw self.fail("expected a container") }
            self.index += 1
            self.skipWhitespace()
            if self.current == close {
                self.index += 1
                return
            }
            while true {
                self.skipWhitespace()
                try element(&self)
                self.skipWhitespace()
                if self.current == UInt8(ascii: ",") {
                    self.index += 1
                    continue
                }
                try self.expect(close, "',' or '\(Character(UnicodeScalar(close)))'")
                return
            }
        }

        /// Skips one value of any kind, iteratively so deep nesting cannot exhaust the stack.
        mutating func skipValue() throws(Failure) {
            var closers: [UInt8] = []
            while true {
                self.skipWhitespace()
                // One value starts here.
                switch self.current {
                case UInt8(ascii: "{"):
                    self.index += 1
                    self.skipWhitespace()
                    if self.current == UInt8(ascii: "}") {
                        self.index += 1
                    } else {
                        closers.append(UInt8(ascii: "}"))
                        _ = try self.skipString()
                        try self.expect(UInt8(ascii: ":"), "':'")
                        continue
                    }
                case UInt8(ascii: "["):
                    self.index += 1
                    self.skipWhitespace()
                    if self.current == UInt8(ascii: "]") {
                        self.index += 1
                    } else {
                        closers.append(UInt8(ascii: "]"))
                        continue
                    }
                case UInt8(ascii: "\""):
                    _ = try self.skipString()
                case UInt8(ascii: "-"), .some(UInt8(ascii: "0")...UInt8(ascii: "9")):
                    try self.number()
                case UInt8(ascii: "t"):
                    try self.literal("true")
                case UInt8(ascii: "f"):
                    try self.literal("false")
                case UInt8(ascii: "n"):
                    try self.literal("null")
                default:
                    throw self.fail("expected a JSON value")
                }
                // The value is complete: close containers or move to the next element.
                while let closer = closers.last {
                    self.skipWhitespace()
                    if self.current == UInt8(ascii: ",") {
                        self.index += 1
                        if closer == UInt8(ascii: "}") {
                            self.skipWhitespace()
                            _ = try self.skipString()
                            try self.expect(UInt8(ascii: ":"), "':'")
                        }
                        break
                    }
                    guard self.current == closer else {
                        throw self.fail("expected ',' or '\(Character(UnicodeScalar(closer)))'")
                    }
                    self.index += 1
                    closers.removeLast()
                }
                if closers.isEmpty { return }
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard self.index + count <= self.bytes.count,
                UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(
                    self.bytes[self.index..<self.index + count])
            else { throw self.fail("invalid literal") }
            self.index += count
        }

        mutating func number() throws(Failure) {
            if self.current == UInt8(ascii: "-") { self.index += 1 }
            guard let first = self.current, isDigit(first) else { throw self.fail("invalid number") }
            self.index += 1
            if first != UInt8(ascii: "0") {
                while let byte = self.current, isDigit(byte) { self.index += 1 }
            }
            if self.current == UInt8(ascii: ".") {
                self.index += 1
                guard let byte = self.current, isDigit(byte) else { throw self.fail("invalid number") }
                while let byte = self.current, isDigit(byte) { self.index += 1 }
            }
            if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
                self.index += 1
                if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.index += 1 }
                guard let byte = self.current, isDigit(byte) else { throw self.fail("invalid number") }
                while let byte = self.current, isDigit(byte) { self.index += 1 }
            }
        }

        /// Checks a string and returns whether it contained escapes. Every string is checked in
        /// full, read or skipped: valid UTF-8, and `\u` escapes that name characters (surrogates
        /// only in pairs: a lone one names no character, and replacing it would make different
        /// strings compare equal), so that every JSON reader, Domain's ``JSONValue`` included,
        /// reads a document accepted here.
        mutating func skipString() throws(Failure) -> Bool {
            guard self.current == UInt8(ascii: "\"") else { throw self.fail("expected a string") }
            self.index += 1
            var escaped = false
            while self.index < self.bytes.count {
                let byte = self.bytes[self.index]
                switch byte {
                case UInt8(ascii: "\""):
                    self.index += 1
                    return escaped
                case UInt8(ascii: "\\"):
                    escaped = true
                    guard self.index + 1 < self.bytes.count else { throw self.fail("unterminated string") }
                    switch self.bytes[self.index + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        self.index += 2
                    case UInt8(ascii: "u"):
                        guard let code = self.escapedCode(at: self.index), !(0xDC00..<0xE000).contains(code)
                        else { throw self.fail("invalid \\u escape") }
                        if (0xD800..<0xDC00).contains(code) {
                            guard let low = self.escapedCode(at: self.index + 6), (0xDC00..<0xE000).contains(low)
                            else { throw self.fail("invalid \\u escape") }
                            self.index += 6
                        }
                        self.index += 6
                    default:
                        throw self.fail("invalid escape in string")
                    }
                case 0x00..<0x20:
                    throw self.fail("control character in string")
                case 0x80...0xFF:
                    guard let length = self.utf8SequenceLength(at: self.index) else {
                        throw self.fail("string is not valid UTF-8")
                    }
                    self.index += length
                default:
                    self.index += 1
                }
            }
            throw self.fail("unterminated string")
        }

        /// The code unit of the `\uXXXX` escape at `index`, or `nil` if there is none.
        func escapedCode(at index: Int) -> UInt32? {
            guard index + 5 < self.bytes.count, self.bytes[index] == UInt8(ascii: "\\"),
                self.bytes[index + 1] == UInt8(ascii: "u")
            else { return nil }
            var code: UInt32 = 0
            for byte in self.bytes[index + 2..<index + 6] {
                guard let digit = hexValue(byte) else { return nil }
                code = code << 4 | UInt32(digit)
            }
            return code
        }

        /// The length of the well-formed UTF-8 sequence that starts at `index` (Unicode's table
        /// 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), or `nil`.
        func utf8SequenceLength(at index: Int) -> Int? {
            var second: ClosedRange<UInt8> = 0x80...0xBF
            let length: Int
            switch self.bytes[index] {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, second) = (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, second) = (3, 0x80...0x9F)
            case 0xF0: (length, second) = (4, 0x90...0xBF)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, second) = (4, 0x80...0x8F)
            default: return nil
            }
            guard index + length <= self.bytes.count, second.contains(self.bytes[index + 1]) else { return nil }
            for byte in self.bytes[index + 2..<index + length] where !(0x80...0xBF).contains(byte) { return nil }
            return length
        }

        /// Decodes a string, escapes included.
        mutating func string() throws(Failure) -> String {
            let start = self.index + 1
            let escaped = try self.skipString()
            let content = UnsafeBufferPointer(rebasing: self.bytes[start..<self.index - 1])
            // Checked by skipString: valid UTF-8, escapes that name characters.
            let raw = String(decoding: content, as: UTF8.self)
            guard escaped else { return raw }
            var scalars = String.UnicodeScalarView()
            var utf8: [UInt8] = []
            var position = 0
            func flush() {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll(keepingCapacity: true)
            }
            func hex4(_ at: Int) -> UInt32 {
                content[at..<at + 4].reduce(0) { $0 << 4 | UInt32(hexValue($1)!) }
            }
            while position < content.count {
                let byte = content[position]
                guard byte == UInt8(ascii: "\\") else {
                    utf8.append(byte)
                    position += 1
                    continue
                }
                let kind = content[position + 1]
                position += 2
                let simple: UInt8? =
                    switch kind {
                    case UInt8(ascii: "b"): 0x08
                    case UInt8(ascii: "f"): 0x0C
                    case UInt8(ascii: "n"): 0x0A
                    case UInt8(ascii: "r"): 0x0D
                    case UInt8(ascii: "t"): 0x09
                    case UInt8(ascii: "u"): nil
                    default: kind
                    }
                if let simple {
                    utf8.append(simple)
                    continue
                }
                var code = hex4(position)
                position += 4
                if (0xD800..<0xDC00).contains(code) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (hex4(position + 2) - 0xDC00)
                    position += 6
                }
                flush()
                scalars.append(UnicodeScalar(code)!)
            }
            flush()
            return String(scalars)
        }
    }
}

@inline(__always)
private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

@inline(__always)
private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    case 0x61...0x66: byte - 0x61 + 10
    default: nil
    }
}
