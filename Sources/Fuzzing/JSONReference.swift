import Domain
import Foundation

/// A document as two full JSON parsers read it, to hold the scanner's answers against: Domain's
/// `JSONValue` (which shares the scanner's string and number lexer) and Foundation's
/// `JSONSerialization` (which shares nothing, and is more lenient: it accepts trailing commas).
struct JSONReference {
    /// The top-level object by `JSONValue`; `nil` when the document is not one.
    let object: [String: JSONValue]?
    /// Nested deeper than `JSONValue` reads (the scanner has no such limit): nothing to compare.
    let tooDeep: Bool
    /// The top-level object by `JSONSerialization`; `nil` when the document is not one.
    let foundationObject: [String: Any]?
    /// `JSONSerialization` refused a number beyond a `Double`'s range, which JSON allows: then
    /// only `object` can be compared.
    let foundationRefusedANumber: Bool

    init(_ document: [UInt8]) {
        do {
            let value = try JSONValue(parsing: document)
            if case .object(let members) = value { self.object = members } else { self.object = nil }
            self.tooDeep = false
        } catch {
            self.object = nil
            self.tooDeep = error.description.contains("nested too deeply")
        }
        do {
            self.foundationObject = try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any]
            self.foundationRefusedANumber = false
        } catch {
            self.foundationObject = nil
            self.foundationRefusedANumber = "\(error)".contains("is not representable")
        }
    }

    /// Whether both parsers read a top-level object, or `JSONSerialization` only failed on a number.
    var isObject: Bool {
        self.object != nil && (self.foundationObject != nil || self.foundationRefusedANumber)
    }

    /// Whether `JSONValue`, and `JSONSerialization` unless it refused a number, read `key` as the
    /// string `text`, byte for byte.
    func hasString(_ key: String, _ text: String) -> Bool {
        guard case .string(let value) = self.object?[key], Array(value.utf8) == Array(text.utf8) else { return false }
        guard !self.foundationRefusedANumber else { return true }
        return (self.foundationObject?[key] as? String).map { Array($0.utf8) == Array(text.utf8) } ?? false
    }

    /// Whether both parsers find no member `key`.
    func lacks(_ key: String) -> Bool {
        self.object?[key] == nil && self.foundationObject?[key] == nil
    }
}

/// Spellings of a key that Go's `encoding/json` reads as that key, and where to put them.
enum GoSpelling {
    /// Ways to write `key` that Go reads as `key`, as JSON string contents, and whether each is
    /// `key` itself once decoded: the key as it is and with its first letter as a `\u` escape,
    /// upper, title and alternating case, and with ſ (U+017F) and the Kelvin sign (U+212A) for s
    /// and k.
    static func spellings(of key: String) -> [(text: String, exact: Bool)] {
        func map(_ transform: (Int, Unicode.Scalar) -> Unicode.Scalar) -> String {
            String(String.UnicodeScalarView(key.unicodeScalars.enumerated().map(transform)))
        }
        func upper(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            ("a"..."z").contains(scalar) ? Unicode.Scalar(scalar.value - 0x20)! : scalar
        }
        func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 0x20)! : scalar
        }
        let variants = [
            map { upper($1) },
            map { $0 == 0 ? upper($1) : lower($1) },
            map { $0 % 2 == 0 ? lower($1) : upper($1) },
            map { ["s", "S"].contains($1) ? "\u{017F}" : ["k", "K"].contains($1) ? "\u{212A}" : $1 },
        ]
        let escaped = "\\u00" + String(key.unicodeScalars.first!.value, radix: 16) + key.dropFirst()
        var result = [(text: key, exact: true), (text: escaped, exact: true)]
        for variant in variants where !result.contains(where: { $0.text == variant }) {
            result.append((text: variant, exact: variant == key))
        }
        return result
    }

    /// `document` (a JSON object) with the member `"key": 0` added first or last.
    static func inserting(_ key: String, into document: [UInt8], first: Bool) -> [UInt8] {
        let member = Array("\"\(key)\":0".utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if first {
            let brace = document.firstIndex { !isSpace($0) }!
            return Array(document[...brace]) + member + [UInt8(ascii: ",")] + document[(brace + 1)...]
        }
        let brace = document.lastIndex { !isSpace($0) }!
        return Array(document[..<brace]) + [UInt8(ascii: ",")] + member + document[brace...]
    }

    /// Checks that `parse` refuses `document` (which it accepts) with any spelling of one of
    /// `keys`, chosen by `generator`, added first or last, as Go would read it differently: a
    /// key spelt exactly is refused only when `present` (a second one).
    static func checkRefused(
        _ document: [UInt8], keys: [String], present: (String) -> Bool, generator: inout SplitMix64,
        parse: ([UInt8]) throws(DomainError) -> Void
    ) throws(PropertyViolation) {
        let key = keys.randomElement(using: &generator)!
        let spelling = self.spellings(of: key).randomElement(using: &generator)!
        guard !spelling.exact || present(key) else { return }
        for first in [true, false] {
            let changed = self.inserting(spelling.text, into: document, first: first)
            do {
                try parse(changed)
            } catch {
                guard case .invalidInput(let message) = error,
                    message.contains("Go matches JSON keys") || message.contains("twice")
                else {
                    throw PropertyViolation(
                        description: "\(key) as \(spelling.text) refused for another reason: \(error)")
                }
                continue
            }
            throw PropertyViolation(
                description: "accepted \(key) spelt \(spelling.text), \(first ? "first" : "last"): "
                    + String(decoding: changed, as: UTF8.self).debugDescription)
        }
    }
}
