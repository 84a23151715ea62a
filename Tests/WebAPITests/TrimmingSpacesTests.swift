import Testing

@testable import WebAPI

@Suite struct TrimmingSpacesTests {
    @Test(arguments: [
        ("a", "a"), (" \ta b\t ", "a b"), ("", ""), (" \t ", ""), ("ab  ", "ab"), ("  ab", "ab"),
    ])
    func dropsLeadingAndTrailingSpacesAndTabsOnly(text: String, trimmed: String) {
        #expect(text.trimmingSpaces() == trimmed)
        #expect(Substring(text).trimmingSpaces() == trimmed)
    }

    @Test func readsALongBearerTokenWhole() {
        let token = "eyJ" + String(repeating: "a", count: 4000) + ".b.c"
        #expect(StatehouseAPI.credentials("Bearer  \(token) ") == .bearer(token))
    }
}
