import Foundation
import Testing

@testable import StatehouseCLI

@Suite struct FormattingTests {
    @Test(arguments: [
        (0, "0s"), (45, "45s"), (60, "1m00s"), (192, "3m12s"), (3599, "59m59s"), (3600, "1h00m"), (7500, "2h05m"),
        (86399, "23h59m"), (86400, "1d"), (4 * 86400 + 3600, "4d"), (-5, "0s"),
    ])
    func formatsAges(seconds: Int, expected: String) {
        #expect(Format.age(seconds: seconds) == expected)
    }

    @Test func formatsSizes() {
        #expect(Format.size(0) == "0 B")
        #expect(Format.size(1023) == "1023 B")
        #expect(Format.size(1234) == "1.2 KiB")
        #expect(Format.size(3_565_158) == "3.4 MiB")
        #expect(Format.size(1 << 30) == "1.0 GiB")
    }

    @Test func shortensTimestamps() {
        #expect(Format.timestamp("2026-11-22T10:11:12.123456Z") == "2026-11-22 10:11:12Z")
        #expect(Format.timestamp("2026-11-22T10:11:12Z") == "2026-11-22 10:11:12Z")
        #expect(Format.timestamp("2026-11-22T10:11:12.5+01:00") == "2026-11-22 10:11:12+01:00")
        #expect(Format.timestamp("soon") == "soon")
    }

    @Test func alignsTableColumnsWithoutTrailingSpaces() {
        let table = Format.table(["NAME", "SERIAL", "NOTE"], [["team/app", "5", ""], ["x", "12", "current"]])
        #expect(
            table == """
                NAME      SERIAL  NOTE
                team/app  5
                x         12      current
                """)
    }

    @Test func shortensLongIDs() {
        #expect(Format.shortID("f2a1c3d4-0000-4000-8000-000000000001") == "f2a1c3d4…")
        #expect(Format.shortID("123456789") == "123456789")
        #expect(Format.shortID("") == "")
    }

    @Test(arguments: [
        ("90s", "2026-11-22T09:58:30Z"), ("30m", "2026-11-22T09:30:00Z"), ("1h", "2026-11-22T09:00:00Z"),
        ("2d", "2026-11-20T10:00:00Z"), ("0s", "2026-11-22T10:00:00Z"),
        ("2026-11-22T10:00:00+01:00", "2026-11-22T10:00:00+01:00"), ("2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z"),
    ])
    func turnsSinceDurationsIntoTimestamps(text: String, expected: String) throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2026-11-22T10:00:00Z"))
        #expect(try AuditCommand.timestamp(since: text, now: now.addingTimeInterval(0.25)) == expected)
    }

    @Test(arguments: ["2days", "3600", "1w", "99999999999999999999d", "999999d"])
    func rejectsBadSinceValues(text: String) {
        #expect(throws: (any Error).self) { try AuditCommand.timestamp(since: text, now: Date()) }
        #expect(throws: (any Error).self) { try AuditCommand.parse(["--since", text]) }
    }

    @Test func alignsFields() {
        #expect(Format.fields([("id", "7"), ("version", "3")]) == "id:       7\nversion:  3")
    }

    @Test func percentEncodesEverythingOutsideTheUnreservedSet() {
        #expect(PercentEncoding.encode("team/app/prod") == "team%2Fapp%2Fprod")
        #expect(PercentEncoding.encode("a-b_c.d~e") == "a-b_c.d%7Ee")
        #expect(PercentEncoding.encode("a b+c&d=e?#%") == "a%20b%2Bc%26d%3De%3F%23%25")
        #expect(PercentEncoding.encode("zürich") == "z%C3%BCrich")
    }

    @Test func buildsRequestTargets() {
        #expect(Endpoint.state("team/app/lock").target(basePath: "") == "/api/v1/states/team%2Fapp%2Flock")
        #expect(Endpoint.lock("team/app").target(basePath: "/sh") == "/sh/api/v1/states/team%2Fapp/lock")
        #expect(
            Endpoint.states(prefix: "team/", contains: "a p", limit: 10, cursor: "c+1", deleted: true)
                .target(basePath: "")
                == "/api/v1/states?prefix=team%2F&contains=a%20p&limit=10&cursor=c%2B1&deleted=true")
        #expect(
            Endpoint.states(prefix: nil, contains: nil, limit: nil, cursor: nil, deleted: false).target(basePath: "")
                == "/api/v1/states")
        #expect(
            Endpoint.versions("a", limit: 5, before: 9).target(basePath: "")
                == "/api/v1/states/a/versions?limit=5&before=9")
        #expect(Endpoint.diff("a", from: nil, to: 4).target(basePath: "") == "/api/v1/states/a/diff?to=4")
        #expect(Endpoint.rollback("a/b").target(basePath: "") == "/api/v1/states/a%2Fb/rollback")
        #expect(
            Endpoint.locks(olderThan: "1h", limit: 2, cursor: "c1").target(basePath: "")
                == "/api/v1/locks?older_than=1h&limit=2&cursor=c1")
        #expect(
            Endpoint.audit(
                state: "a/b", user: "ci bot", action: "force-unlock", since: "2026-11-22T10:00:00+01:00", limit: 3,
                after: 42
            ).target(basePath: "")
                == "/api/v1/audit?state=a%2Fb&user=ci%20bot&action=force-unlock&since=2026-11-22T10%3A00%3A00%2B01%3A00"
                + "&limit=3&after=42")
    }

    @Test func parsesServerURLs() throws {
        let plain = try ServerURL(parsing: "http://127.0.0.1:8080")
        #expect(plain.scheme == .http && plain.host == "127.0.0.1" && plain.port == 8080 && plain.basePath == "")
        #expect(plain.authority == "127.0.0.1:8080")
        let tls = try ServerURL(parsing: "HTTPS://state.example.com/statehouse/")
        #expect(tls.scheme == .https && tls.host == "state.example.com" && tls.port == 443)
        #expect(tls.basePath == "/statehouse" && tls.authority == "state.example.com")
        let v6 = try ServerURL(parsing: "http://[::1]:9000")
        #expect(v6.host == "::1" && v6.port == 9000 && v6.authority == "[::1]:9000")
        #expect(try ServerURL(parsing: "http://[fe80::1]").authority == "[fe80::1]")
        #expect(try ServerURL(parsing: "http://h:80").authority == "h")
    }

    @Test(arguments: [
        "ftp://h", "h:8080", "http://", "http://:80", "http://h:0", "http://h:65536", "http://h:x", "http://u:p@h",
        "http://h/?q", "http://::1", "http://[::1", "http://[::1]x",
    ])
    func rejectsBadServerURLs(text: String) {
        #expect(throws: CLIError.self) { try ServerURL(parsing: text) }
    }
}
