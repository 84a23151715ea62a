import Domain
import Testing

@Suite struct JSONValueTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: Array(text.utf8)) }

    @Test func parsesNestedContainers() throws {
        let value = try parse(#" {"a": [1, -2.5e+3, true, false, null, {"b": []}], "c": {}, "d": "x"} "#)
        #expect(
            value
                == .object([
                    "a": .array([
                        .number("1"), .number("-2.5e+3"), .bool(true), .bool(false), .null, .object(["b": .array([])]),
                    ]),
                    "c": .object([:]),
                    "d": .string("x"),
                ]))
        #expect(value["d"]?.stringValue == "x")
        #expect(value["a"]?.arrayValue?.count == 6)
        #expect(value["missing"] == nil)
        #expect(value["a"]?["b"] == nil)
    }

    @Test func refusesNestingDeeperThanAsked() throws {
        let eight = Array((String(repeating: "[", count: 8) + String(repeating: "]", count: 8)).utf8)
        #expect(try JSONValue(parsing: eight, maxDepth: 8) != .null)
        #expect(throws: DomainError.self) {
            try JSONValue(parsing: Array("[".utf8) + eight + Array("]".utf8), maxDepth: 8)
        }
        // Never deeper than the parser's own bound, whatever is asked.
        let deep = Array((String(repeating: "[", count: 300) + String(repeating: "]", count: 300)).utf8)
        #expect(throws: DomainError.self) { try JSONValue(parsing: deep, maxDepth: 1000) }
    }

    @Test(arguments: ["0", "-0", "12", "1.5", "1e9", "1E-9", "-0.25e+10", "123456789012345678901234567890"])
    func keepsNumbersAsWritten(text: String) throws {
        #expect(try parse(text) == .number(text))
    }

    @Test func decodesEscapes() throws {
        #expect(
            try parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \u20AC \ud83d\ude00 \u0000""#)
                == .string("q\" b\\ s/ \u{8}\u{C}\n\r\t é € 😀 \u{0}"))
    }

    @Test func theLastDuplicateKeyWins() throws {
        #expect(
            try parse(#"{"a": 1, "b": 2, "a": {"c": 3}}"#)
                == .object(["a": .object(["c": .number("3")]), "b": .number("2")]))
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let deep = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try parse(deep).arrayValue?.count == 1)
    }

    @Test func refusesDeeperNesting() {
        let deep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        #expect(throws: DomainError.invalidInput("not valid JSON: nested too deeply at byte 256")) { try parse(deep) }
        let objects = String(repeating: #"{"a":"#, count: 100_000)
        #expect(throws: DomainError.self) { try parse(objects) }
    }

    @Test func refusesTrailingData() {
        #expect(throws: DomainError.invalidInput("not valid JSON: unexpected data after the JSON value at byte 3")) {
            try parse("{} [] ")
        }
    }

    @Test func refusesAnEmptyDocument() {
        #expect(throws: DomainError.invalidInput("not valid JSON: expected a JSON value at byte 2")) { try parse("  ") }
    }

    @Test(arguments: [
        "", "{", "[", "}", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "01", "1.", "-", "+1", ".5",
        "1e", "tru", "nul", "\"unterminated", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\u{1}\"", "[1]]",
        "NaN", "'a'",
    ])
    func refusesInvalidDocuments(text: String) {
        #expect(throws: DomainError.self) { try parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: DomainError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
    }
}
