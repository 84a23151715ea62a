import Foundation
import HTTPServer
import Synchronization
import Testing

@testable import StatehouseCLI

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct CommandTests {
    private let credentials = ["STATEHOUSE_API_USER": "alice", "STATEHOUSE_API_PASSWORD": "s3cret pass"]
    /// `Basic base64("alice:s3cret pass")`.
    private let basic = "Basic YWxpY2U6czNjcmV0IHBhc3M="

    @Test func statesListSendsTheQueryAndPrintsATable() throws {
        let api = try FakeAPI(json: #"{"states": [\#(Fixture.state("team/app"))], "next_cursor": "abc"}"#)
        let outcome = try run(
            StatesCommand.List.self,
            ["--server", api.url, "--prefix", "team/a b", "--contains", "PROD", "--limit", "10", "--deleted"],
            environment: self.credentials)
        #expect(outcome.status == 0 && outcome.error.isEmpty)
        let request = try #require(api.requests.first)
        #expect(request.method == "GET" && request.rawPath == "/api/v1/states")
        #expect(request.query == ["prefix": "team/a b", "contains": "PROD", "limit": "10", "deleted": "true"])
        #expect(request.headers["Authorization"] == self.basic)
        #expect(request.headers["Accept"] == "application/json")
        #expect(request.headers["User-Agent"] == "statehouse-cli/\(APIClient.version)")
        #expect(request.headers["Connection"] == "close")
        #expect(request.headers["Host"] == "127.0.0.1:\(api.port)")
        #expect(request.headers["Content-Length"] == nil && request.body.isEmpty)
        #expect(outcome.output.hasPrefix("ID  NAME      SERIAL"))
        #expect(outcome.output.hasSuffix("(more states: use --all)\n"))
    }

    @Test func statesListAllFollowsTheCursor() throws {
        let api = try FakeAPI { request in
            let page =
                request.queryValue("cursor") == nil
                ? #"{"states": [\#(Fixture.state("a"))], "next_cursor": "p2"}"#
                : #"{"states": [\#(Fixture.state("b"))], "next_cursor": null}"#
            return FakeAPI.response(status: 200, json: page)
        }
        let table = try run(StatesCommand.List.self, ["--server", api.url, "--all", "--limit", "1"])
        #expect(api.requests.map { $0.query } == [["limit": "1"], ["limit": "1", "cursor": "p2"]])
        #expect(table.output.split(separator: "\n").map { $0.prefix(2) } == ["NA", "a ", "b "])

        let json = try run(StatesCommand.List.self, ["--server", api.url, "--all", "--json"])
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let states = try #require(document["states"] as? [[String: Any]])
        #expect(states.map { $0["name"] as? String } == ["a", "b"])
        #expect(states[0]["encrypted"] as? Bool == false && states[0]["serial"] as? Int == 5)
        #expect(json.output.contains(#""encrypted":false"#) && json.output.contains(#""next_cursor":null"#))
    }

    @Test func statesShowEncodesTheNameAndJSONPrintsTheBodyAsIs() throws {
        let body = Fixture.state("team/app/lock", extra: #", "outputs": [], "version_count": 3"#)
        let api = try FakeAPI(json: body)
        let outcome = try run(StatesCommand.Show.self, ["team/app/lock", "--server", api.url, "--json"])
        #expect(outcome.status == 0)
        #expect(api.requests.map(\.rawPath) == ["/api/v1/states/team%2Fapp%2Flock"])
        #expect(outcome.output == body + "\n")
        #expect(api.requests[0].headers["Authorization"] == nil)

        let text = try run(StatesCommand.Show.self, ["team/app/lock", "--server", api.url])
        #expect(text.output.hasPrefix("name:       team/app/lock\n"))
        #expect(text.output.hasSuffix("outputs: none\n"))
    }

    @Test func aMissingStatePrintsTheServersErrorAndExitsOne() throws {
        let api = try FakeAPI(status: 404, json: #"{"error": "no state named team/x"}"#)
        let outcome = try run(StatesCommand.Show.self, ["team/x", "--server", api.url])
        #expect(outcome.status == 1)
        #expect(outcome.output.isEmpty)
        #expect(outcome.error == "statehouse: no state named team/x (HTTP 404)\n")
    }

    @Test func locksPassesOlderThan() throws {
        let api = try FakeAPI(json: #"{"locks": [{"state": "team/app", "lock": \#(Fixture.lock)}]}"#)
        let outcome = try run(LocksCommand.self, ["--server", api.url, "--older-than", "1h"])
        #expect(api.requests.map(\.query) == [["older_than": "1h"]])
        #expect(api.requests.map(\.rawPath) == ["/api/v1/locks"])
        #expect(outcome.output.contains("team/app  5c1d     me@host  apply      3m12s  alice"))
    }

    @Test func locksAllFollowsTheCursorAndOnePageSaysThereIsMore() throws {
        let api = try FakeAPI { request in
            let page =
                request.queryValue("cursor") == nil
                ? #"{"locks": [{"state": "a", "lock": \#(Fixture.lock)}], "next_cursor": "p2"}"#
                : #"{"locks": [{"state": "b", "lock": \#(Fixture.lock)}], "next_cursor": null}"#
            return FakeAPI.response(status: 200, json: page)
        }
        let one = try run(LocksCommand.self, ["--server", api.url, "--limit", "1"])
        #expect(one.output.hasSuffix("(more locks: use --all)\n"))
        let table = try run(LocksCommand.self, ["--server", api.url, "--all", "--limit", "1"])
        #expect(
            api.requests.map { $0.query } == [["limit": "1"], ["limit": "1"], ["limit": "1", "cursor": "p2"]])
        #expect(table.output.split(separator: "\n").map { $0.prefix(2) } == ["ST", "a ", "b "])

        let json = try run(LocksCommand.self, ["--server", api.url, "--all", "--json"])
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let locks = try #require(document["locks"] as? [[String: Any]])
        #expect(locks.map { $0["state"] as? String } == ["a", "b"])
        #expect(json.output.contains(#""next_cursor":null"#))
    }

    @Test func unlockSendsDeleteWithItsBody() throws {
        let api = try FakeAPI(json: #"{"status": "force-unlocked", "lock": \#(Fixture.lock)}"#)
        let outcome = try run(
            UnlockCommand.self, ["team/app", "--id", "5c1d", "--reason", "CI died", "--server", api.url],
            environment: self.credentials)
        let request = try #require(api.requests.first)
        #expect(request.method == "DELETE" && request.rawPath == "/api/v1/states/team%2Fapp/lock")
        #expect(request.body == #"{"id":"5c1d","reason":"CI died"}"#)
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(
            outcome.output
                == "Force-unlocked team/app: removed lock 5c1d (apply by me@host, taken by alice 3m12s ago).\n"
        )
    }

    @Test func unlockWithoutOptionsSendsNoBody() throws {
        let api = try FakeAPI(json: #"{"status": "not locked"}"#)
        let outcome = try run(UnlockCommand.self, ["team/app", "--server", api.url])
        #expect(api.requests.first?.body == "")
        #expect(api.requests.first?.headers["Content-Type"] == nil)
        #expect(outcome.output == "team/app was not locked.\n")
    }

    @Test func unlockConflictShowsTheHeldLock() throws {
        let api = try FakeAPI(
            status: 409, json: #"{"error": "team/app is locked by another lock", "lock": \#(Fixture.lock)}"#)
        let outcome = try run(UnlockCommand.self, ["team/app", "--id", "other", "--server", api.url])
        #expect(outcome.status == 1)
        #expect(
            outcome.error == """
                statehouse: team/app is locked by another lock (HTTP 409)
                  lock 5c1d (apply by me@host, taken by alice 3m12s ago)

                """)
    }

    @Test func versionsPassesPagingAndHintsTheNextPage() throws {
        let api = try FakeAPI(
            json: #"{"versions": [\#(Fixture.version(3, serial: 5, current: true))], "next_before": 3}"#)
        let outcome = try run(VersionsCommand.self, ["a/b", "--limit", "1", "--before", "4", "--server", api.url])
        #expect(api.requests.map(\.rawPath) == ["/api/v1/states/a%2Fb/versions"])
        #expect(api.requests.map(\.query) == [["limit": "1", "before": "4"]])
        #expect(outcome.output.hasSuffix("alice  current\n(older versions: --before 3)\n"))
    }

    @Test func rollbackPostsTheVersion() throws {
        let api = try FakeAPI(
            json: #"{"status": "rolled back", "version": \#(Fixture.version(6, serial: 9, rollbackOf: "2"))}"#)
        let outcome = try run(
            RollbackCommand.self, ["team/app", "--to", "2", "--reason", "bad apply", "--server", api.url],
            environment: self.credentials)
        let request = try #require(api.requests.first)
        #expect(request.method == "POST" && request.rawPath == "/api/v1/states/team%2Fapp/rollback")
        #expect(request.body == #"{"reason":"bad apply","version":2}"#)
        #expect(request.headers["Authorization"] == self.basic)
        #expect(outcome.output == "Rolled back team/app to version 2: new version 6, serial 9.\n")
    }

    @Test func rollbackWhileLockedFails() throws {
        let api = try FakeAPI(status: 409, json: #"{"error": "team/app is locked", "lock": \#(Fixture.lock)}"#)
        let outcome = try run(RollbackCommand.self, ["team/app", "--to", "1", "--server", api.url])
        #expect(api.requests.first?.body == #"{"version":1}"#)
        #expect(
            outcome.status == 1 && outcome.error.hasPrefix("statehouse: team/app is locked (HTTP 409)\n  lock 5c1d"))
    }

    @Test func diffPassesVersions() throws {
        let api = try FakeAPI(
            json: """
                {"from": 2, "to": 3, "resources": {"added": ["aws_x.a"], "removed": [], "changed": []},
                 "outputs": {"added": [], "removed": [], "changed": []}}
                """)
        let outcome = try run(DiffCommand.self, ["team/app", "--from", "2", "--to", "3", "--server", api.url])
        #expect(api.requests.map(\.rawPath) == ["/api/v1/states/team%2Fapp/diff"])
        #expect(api.requests.map(\.query) == [["from": "2", "to": "3"]])
        #expect(outcome.output == "team/app: version 2 → 3\n+ aws_x.a\n")
    }

    @Test func auditPassesFilters() throws {
        let api = try FakeAPI(json: #"{"events": [], "next_after": null}"#)
        let outcome = try run(
            AuditCommand.self,
            [
                "--state", "team/app", "--by", "ci", "--action", "force-unlock", "--since", "2026-11-22T10:00:00Z",
                "--limit", "5", "--after", "40", "--server", api.url,
            ], environment: self.credentials)
        #expect(api.requests.map(\.rawPath) == ["/api/v1/audit"])
        #expect(
            api.requests.map(\.query) == [
                [
                    "state": "team/app", "user": "ci", "action": "force-unlock", "since": "2026-11-22T10:00:00Z",
                    "limit": "5", "after": "40",
                ]
            ])
        #expect(api.requests.first?.headers["Authorization"] == self.basic, "--by is not the login")
        #expect(outcome.output == "No audit events.\n")
    }

    @Test func auditSinceKeepsAPlusSignIntact() throws {
        let api = try FakeAPI(json: #"{"events": [], "next_after": null}"#)
        _ = try run(AuditCommand.self, ["--since", "2026-11-22T10:00:00+01:00", "--server", api.url])
        #expect(api.requests.first?.query == ["since": "2026-11-22T10:00:00+01:00"])
    }

    @Test func auditSinceTakesADurationBackFromNow() throws {
        let api = try FakeAPI(json: #"{"events": [], "next_after": null}"#)
        let before = Date()
        let outcome = try run(AuditCommand.self, ["--since", "1h", "--server", api.url])
        let after = Date()
        #expect(outcome.status == 0)
        let since = try #require(api.requests.first?.query["since"])
        let formatter = ISO8601DateFormatter()
        let sent = try #require(formatter.date(from: since))
        #expect(since.hasSuffix("Z") && since.count == 20)
        #expect(sent >= before.addingTimeInterval(-3601) && sent <= after.addingTimeInterval(-3599))
    }

    @Test func unavailableStoreReportsRetryAfter() throws {
        let api = try FakeAPI(
            status: 503, json: #"{"error": "the store is unavailable"}"#, headers: ["Retry-After": "2"])
        let outcome = try run(LocksCommand.self, ["--server", api.url])
        #expect(outcome.status == 1)
        #expect(outcome.error == "statehouse: the store is unavailable (HTTP 503); retry in 2 s\n")
    }

    @Test func contractViolationsAreReported() throws {
        let api = try FakeAPI(json: #"{"locks": [{"state": "a"}]}"#)
        let outcome = try run(LocksCommand.self, ["--server", api.url])
        #expect(outcome.status == 1)
        #expect(
            outcome.error == "statehouse: invalid response from \(api.url): unexpected JSON at locks[0].lock: missing\n"
        )
    }

    @Test func settingsComeFromTheEnvironment() throws {
        let api = try FakeAPI(json: #"{"locks": []}"#)
        let outcome = try run(
            LocksCommand.self, [], environment: ["STATEHOUSE_API_URL": api.url + "/"].merging(self.credentials) { $1 })
        #expect(outcome.output == "No locks held.\n")
        #expect(api.requests.first?.headers["Authorization"] == self.basic)
        // An option wins over the environment.
        _ = try run(
            LocksCommand.self, ["--user", "bob"],
            environment: ["STATEHOUSE_API_URL": api.url, "STATEHOUSE_API_PASSWORD": "pw"])
        #expect(api.requests.last?.headers["Authorization"] == "Basic Ym9iOnB3")
    }

    @Test func badSettingsAreUsageErrors() throws {
        let noPassword = try run(LocksCommand.self, ["--user", "bob"])
        #expect(noPassword.status == CLIError.usageStatus)
        #expect(noPassword.error.hasPrefix("statehouse: --user needs a password"))
        let badURL = try run(LocksCommand.self, [], environment: ["STATEHOUSE_API_URL": "localhost:8080"])
        #expect(badURL.error == "statehouse: invalid server URL 'localhost:8080': expected http:// or https://\n")
        #expect(throws: (any Error).self) { try VersionsCommand.parse(["a", "--limit", "0"]) }
    }

    @Test func rejectedCredentialsSayWhichServerRefusedThem() throws {
        let api = try FakeAPI(status: 401, json: #"{"error": "authentication required"}"#)
        let outcome = try run(LocksCommand.self, ["--server", api.url], environment: self.credentials)
        #expect(outcome.status == 1)
        #expect(outcome.error == "statehouse: wrong user or password for \(api.url) (HTTP 401)\n")
        #expect(!outcome.error.contains("s3cret") && !outcome.output.contains("s3cret"))

        let anonymous = try run(LocksCommand.self, ["--server", api.url])
        #expect(anonymous.status == 1)
        #expect(
            anonymous.error
                == "statehouse: authentication required (HTTP 401); set STATEHOUSE_API_USER and STATEHOUSE_API_PASSWORD "
                + "(or --user), or use a client certificate\n")
    }

    @Test func restorePostsTheIDOnlyWhenGiven() throws {
        let api = try FakeAPI(json: Fixture.state("team/app", extra: #", "outputs": [], "version_count": 3"#))
        let outcome = try run(
            RestoreCommand.self, ["team/app", "--id", "7", "--server", api.url], environment: self.credentials)
        #expect(outcome.status == 0 && outcome.error.isEmpty)
        let request = try #require(api.requests.first)
        #expect(request.method == "POST" && request.rawPath == "/api/v1/states/team%2Fapp/restore")
        #expect(request.body == #"{"id":7}"#)
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["Authorization"] == self.basic)
        #expect(outcome.output == "Restored team/app (state ID 7): version 3, serial 5.\n")

        _ = try run(RestoreCommand.self, ["team/app", "--server", api.url])
        // No body, but the JSON type all the same: the server asks for it on every POST.
        #expect(api.requests.last?.body == "" && api.requests.last?.headers["Content-Type"] == "application/json")
    }

    @Test func restoreOverALiveStateFails() throws {
        let api = try FakeAPI(status: 409, json: #"{"error": "a live state named team/app exists"}"#)
        let outcome = try run(RestoreCommand.self, ["team/app", "--server", api.url])
        #expect(outcome.status == 1 && outcome.output.isEmpty)
        #expect(outcome.error == "statehouse: a live state named team/app exists (HTTP 409)\n")
    }

    @Test func purgeDeletesTheVersionWithItsReason() throws {
        let purged = Fixture.version(2, serial: 4).replacingOccurrences(
            of: #""purged_at": null, "purged_by": null, "purge_reason": null"#,
            with: #""purged_at": "2026-11-23T08:09:10.000000Z", "purged_by": "root", "purge_reason": "leaked key""#)
        let api = try FakeAPI(json: purged)
        let outcome = try run(
            PurgeCommand.self, ["team/app", "2", "--reason", "leaked key", "--server", api.url],
            environment: self.credentials)
        #expect(outcome.status == 0 && outcome.error.isEmpty)
        let request = try #require(api.requests.first)
        #expect(request.method == "DELETE" && request.rawPath == "/api/v1/states/team%2Fapp/versions/2")
        #expect(request.body == #"{"reason":"leaked key"}"#)
        #expect(
            outcome.output
                == "Purged version 2 of team/app (by root at 2026-11-23 08:09:10Z; reason: leaked key).\n")

        _ = try run(PurgeCommand.self, ["team/app", "2", "--server", api.url])
        // A DELETE without a body sends no type.
        #expect(api.requests.last?.body == "" && api.requests.last?.headers["Content-Type"] == nil)
        #expect(throws: (any Error).self) { try PurgeCommand.parse(["team/app", "two"]) }
        #expect(throws: (any Error).self) { try PurgeCommand.parse(["team/app"]) }
    }

    @Test func purgingTheCurrentVersionFails() throws {
        let api = try FakeAPI(status: 409, json: #"{"error": "version 3 is the current version of team/app"}"#)
        let outcome = try run(PurgeCommand.self, ["team/app", "3", "--server", api.url])
        #expect(outcome.status == 1 && outcome.output.isEmpty)
        #expect(outcome.error == "statehouse: version 3 is the current version of team/app (HTTP 409)\n")
    }

    @Test func jsonErrorsGoToStandardErrorOnly() throws {
        let missing = try FakeAPI(status: 404, json: #"{"error": "no state named team/x"}"#)
        let notFound = try run(StatesCommand.Show.self, ["team/x", "--json", "--server", missing.url])
        #expect(notFound.status == 1 && notFound.output.isEmpty)
        #expect(notFound.error == "statehouse: no state named team/x (HTTP 404)\n")

        let locked = try FakeAPI(status: 409, json: #"{"error": "team/app is locked", "lock": \#(Fixture.lock)}"#)
        let conflict = try run(RollbackCommand.self, ["team/app", "--to", "1", "--json", "--server", locked.url])
        #expect(conflict.status == 1 && conflict.output.isEmpty)
        #expect(conflict.error.hasPrefix("statehouse: team/app is locked (HTTP 409)\n  lock 5c1d"))

        let (fd, port) = try listeningSocket(listen: false)
        defer { close(fd) }
        let unreachable = try run(LocksCommand.self, ["--json", "--server", "http://127.0.0.1:\(port)"])
        #expect(unreachable.status == CLIError.unreachableStatus && unreachable.output.isEmpty)
        #expect(unreachable.error.hasPrefix("statehouse: cannot reach"))

        let usage = try run(LocksCommand.self, ["--json", "--user", "bob"])
        #expect(usage.status == CLIError.usageStatus && usage.output.isEmpty && !usage.error.isEmpty)
    }

    @Test func aRefusedConnectionExitsThree() throws {
        let (fd, port) = try listeningSocket(listen: false)
        defer { close(fd) }
        let outcome = try run(LocksCommand.self, ["--server", "http://127.0.0.1:\(port)"])
        #expect(outcome.status == CLIError.unreachableStatus)
        #expect(
            outcome.error
                == "statehouse: cannot reach http://127.0.0.1:\(port): connect to 127.0.0.1:\(port): Connection refused\n"
        )
    }

    @Test func anUnknownHostExitsThree() throws {
        let outcome = try run(LocksCommand.self, ["--server", "http://no-such-host.invalid"])
        #expect(outcome.status == CLIError.unreachableStatus)
        #expect(outcome.error.hasPrefix("statehouse: cannot reach http://no-such-host.invalid: cannot resolve"))
    }

    @Test func readsChunkedResponses() throws {
        let server = try RawServer(
            reply: Array(
                ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                    + "b\r\n{\"locks\": [\r\n1\r\n]\r\n1\r\n}\r\n0\r\n\r\n").utf8))
        let outcome = try run(LocksCommand.self, ["--server", server.url])
        #expect(outcome.status == 0 && outcome.output == "No locks held.\n")
    }

    @Test func readsResponsesEndedByClose() throws {
        let server = try RawServer(reply: Array("HTTP/1.1 200 OK\r\n\r\n{\"locks\": []}".utf8))
        let outcome = try run(LocksCommand.self, ["--server", server.url, "--json"])
        #expect(outcome.output == "{\"locks\": []}\n")
    }

    @Test func aTruncatedResponseIsInvalid() throws {
        let server = try RawServer(reply: Array("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"locks\"".utf8))
        let outcome = try run(LocksCommand.self, ["--server", server.url])
        #expect(outcome.status == 1)
        #expect(outcome.error.hasSuffix("the server closed the connection in the middle of the response\n"))
    }

    @Test func aSilentServerTimesOut() throws {
        let server = try RawServer(reply: nil)
        let outcome = try run(LocksCommand.self, ["--server", server.url], timeout: .milliseconds(200))
        #expect(outcome.status == CLIError.unreachableStatus)
        #expect(outcome.error == "statehouse: cannot reach \(server.url): no answer within 0.2 s\n")
    }

    @Test(.enabled(if: FakeAPI.ipv6Available)) func connectsOverIPv6() throws {
        let api = try FakeAPI(host: "::1") { _ in FakeAPI.response(status: 200, json: #"{"locks": []}"#) }
        let outcome = try run(LocksCommand.self, ["--server", api.url])
        #expect(outcome.output == "No locks held.\n")
        #expect(api.requests.first?.headers["Host"] == "[::1]:\(api.port)")
    }
}
