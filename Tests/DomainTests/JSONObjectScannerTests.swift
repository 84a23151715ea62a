import Testing

@testable import Domain

@Suite struct JSONObjectScannerTests {
    func scan(_ text: String, _ keys: Set<String> = ["a", "b"]) throws -> [String: JSONObjectScanner.Value] {
        try JSONObjectScanner.scan(Array(text.utf8), keys: keys)
    }

    @Test func readsOnlyTheRequestedTopLevelFields() throws {
        let values = try scan(
            #"{"a": "x", "skip": {"a": "nested", "list": [1, 2.5e-3, true, null, "s\"t"]}, "b": -12}"#)
        #expect(values == ["a": .string("x"), "b": .number("-12")])
    }

    @Test func decodesEscapesIncludingSurrogatePairs() throws {
        let values = try scan(#"{"a": "tab\there \"q\" \u00e9 \ud83d\ude00 \/"}"#)
        #expect(values["a"] == .string("tab\there \"q\" é 😀 /"))
    }

    @Test func rejectsInvalidUTF8InDecodedStrings() {
        #expect(throws: JSONObjectScanner.Failure.self) {
            try JSONObjectScanner.scan([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], keys: ["a"])
        }
        #expect(throws: JSONObjectScanner.Failure.self) {
            try JSONObjectScanner.scan([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x5C, 0x6E, 0xFE, 0x22, 0x7D], keys: ["a"])
        }
    }

    @Test func theLastDuplicateKeyWins() throws {
        #expect(try scan(#"{"a": 1, "a": 2}"#)["a"] == .number("2"))
    }

    @Test func containersAreDescribedAndLiteralsAreOther() throws {
        #expect(
            try scan(
                #"{"a": [1, [2, 3], {"x": []}], "b": {"c": 1, "d": {"e": 2}, "c": 3}, "e": [], "f": {}, "g": true}"#,
                ["a", "b", "e", "f", "g"])
                == [
                    "a": .array(count: 3), "b": .object(keys: ["c", "d", "c"]), "e": .array(count: 0),
                    "f": .object(keys: []), "g": .other,
                ])
    }

    @Test func fieldsSayWhereEachValueIs() throws {
        let document = #"{ "a" : 12 , "b":{"a":1}, "c": "x\"y" }"#
        let fields = try JSONObjectScanner.fields(Array(document.utf8), keys: ["a", "b", "c"])
        for (key, text) in [("a", "12"), ("b", #"{"a":1}"#), ("c", #""x\"y""#)] {
            let range = try #require(fields[key]).range
            #expect(String(decoding: Array(document.utf8)[range], as: UTF8.self) == text)
        }
    }

    @Test(arguments: [
        ("serial", "SERIAL"), ("SeRiAl", "SERIAL"), ("\u{17F}erial", "SERIAL"), ("\u{212A}ey", "KEY"),
        ("terraform_version", "TERRAFORM_VERSION"), ("a-1 ~", "A-1 ~"),
    ])
    func foldsKeysAsGoDoes(key: String, folded: String) {
        #expect(JSONObjectScanner.goFold(key) == folded)
    }

    @Test(arguments: ["\u{130}d", "\u{131}d", "seríal", "\u{1E9E}", "ß"])
    func keysWithOtherNonASCIICharactersNeverFoldOntoASCIINames(key: String) {
        // İ and ı have no simple fold to i or I in Go (its case orbit pins them); é, ẞ, ß stay non-ASCII.
        #expect(JSONObjectScanner.goFold(key) == nil)
    }

    @Test func unambiguousScansStillSkipKeysTheyWereNotAskedFor() throws {
        let values = try JSONObjectScanner.scan(
            Array(#"{"A":1,"a":2,"b":3,"c":4,"C":5}"#.utf8), keys: ["a"], unambiguous: false)
        #expect(values == ["a": .number("2")])
        #expect(
            throws: JSONObjectScanner.Failure(
                message: "ambiguous key", offset: 7, repeated: .init(key: "a", field: "a"))
        ) { try JSONObjectScanner.scan(Array(#"{"a":1,"a":2,"c":4,"C":5}"#.utf8), keys: ["a"], unambiguous: true) }
        #expect(
            try JSONObjectScanner.scan(Array(#"{"a":1,"c":4,"C":5}"#.utf8), keys: ["a"], unambiguous: true).count == 1)
    }

    @Test func skipsDeepNestingWithoutRecursion() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(try scan("{\"x\": \(deep), \"a\": \"ok\"}")["a"] == .string("ok"))
    }

    @Test(arguments: [
        "", "[]", "\"a\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
        "{\"a\":\"\u{1}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":tru}", "{\"a\":1} x", "{\"a\":[1,]}",
        "{\"a\":[1 2]}", "{\"a\":{\"b\" 1}}", "{\"a\":\"unterminated}", "{a:1}",
        // A backslash as the very last byte once made the scanner spin forever.
        "{\"a\":\"\\", "{\"x\":\"\\", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00x\"}",
    ])
    func rejectsInvalidDocuments(text: String) {
        #expect(throws: JSONObjectScanner.Failure.self) { try scan(text) }
    }
}
