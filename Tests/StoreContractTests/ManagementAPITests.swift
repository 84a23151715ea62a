import Application
import Domain
import Foundation
import Gzip
import HTTPServer
import Logging
import PasswordAuth
import SystemSupport
import Testing
import WebAPI

@testable import statehouse

/// The `/api/v1` routes over each store: statuses, permissions and bodies as a client sees them.
struct ManagedAPI {
    let fixture: Fixture
    let api: StatehouseAPI

    /// Users: root (admin on *), ci (write on team), viewer (read on *); password "pw".
    init(_ kind: StoreKind) throws {
        try self.init(Fixture(kind))
    }

    init(_ fixture: Fixture) throws {
        self.fixture = fixture
        let hash = PasswordHash.make(password: "pw", iterations: 1000)
        let users = try UserDirectory(users: [
            .init(name: "root", passwordHash: hash, grants: [Grant(prefix: "*", access: .admin)]),
            .init(name: "ci", passwordHash: hash, grants: [Grant(prefix: "team", access: .write)]),
            .init(name: "viewer", passwordHash: hash, grants: [Grant(prefix: "*", access: .read)]),
        ])
        self.api = StatehouseAPI(
            useCases: UseCaseWiring.api(
                store: self.fixture.store, clock: self.fixture.clock, cache: ContentCache(capacityBytes: 1 << 20),
                policy: WritePolicy(allowLineageChange: false), compressionLevel: 1,
                heavyWork: HeavyWork(limit: 4), maxDiffBytes: 1 << 20),
            authenticator: Authenticator(passwords: users), clock: self.fixture.clock)
    }

    @discardableResult
    func send(
        _ method: String, _ target: String, user: String? = "root", body: String = "", headers: [(String, String)] = []
    ) -> Response {
        self.send(method, target, user: user, bytes: Array(body.utf8), headers: headers)
    }

    @discardableResult
    func send(
        _ method: String, _ target: String, user: String? = "root", bytes: [UInt8], headers: [(String, String)] = []
    )
        -> Response
    {
        var fields = HTTPHeaders([("Host", "test")] + headers)
        // What every JSON client sends on a POST (HeadDecisionTests checks what happens without).
        if method == "POST", !fields.contains("Content-Type") {
            fields.add(name: "Content-Type", value: "application/json")
        }
        if let user {
            fields.add(name: "Authorization", value: "Basic " + Base64.encode(Array("\(user):pw".utf8)))
        }
        let head = RequestHead(
            method: method, rawTarget: target, target: try! RequestTarget(parsing: target), version: .http11,
            headers: fields)
        return self.api.handle(
            Request(
                head: head, body: bytes, id: "req-\(method)", remoteAddress: "192.0.2.1:4000",
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), clientCertificate: nil))
    }

    /// Parses a JSON response body.
    func json(_ response: Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// Writes `body` as the next version of `state` through the protocol route.
    func write(_ state: String, _ body: [UInt8], user: String = "root") {
        let response = self.send("POST", "/state/\(state)", user: user, bytes: body)
        #expect(response.status == .ok, "\(String(decoding: response.body, as: UTF8.self))")
    }
}

extension Response {
    var text: String { String(decoding: self.body, as: UTF8.self) }
}

@Suite struct ManagementAPITests {
    @Test(arguments: StoreKind.available)
    func everyRouteNeedsCredentialsButTheDocument(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        for (method, path) in [
            ("GET", "/api/v1/states"), ("GET", "/api/v1/states/a"), ("GET", "/api/v1/locks"),
            ("DELETE", "/api/v1/states/a/lock"), ("GET", "/api/v1/states/a/versions"),
            ("GET", "/api/v1/states/a/versions/1"), ("DELETE", "/api/v1/states/a/versions/1"),
            ("POST", "/api/v1/states/a/rollback"), ("GET", "/api/v1/states/a/diff"),
            ("POST", "/api/v1/states/a/restore"), ("GET", "/api/v1/audit"),
        ] {
            let response = api.send(method, path, user: nil)
            #expect(response.status == .unauthorized, "\(method) \(path)")
            #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Basic") == true)
        }
        let document = api.send("GET", "/api/v1/openapi.json", user: nil)
        #expect(document.status == .ok)
        #expect(try api.json(document)["openapi"] as? String == "3.1.0")
        #expect(api.send("GET", "/api/v1/nothing").status == .notFound)
        let wrongMethod = api.send("PUT", "/api/v1/states/a/rollback")
        #expect(wrongMethod.status == .methodNotAllowed)
        #expect(wrongMethod.headers["Allow"] == "POST")
    }

    @Test(arguments: StoreKind.available)
    func statesAreListedWithSummariesAndCursors(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        api.write("team/app", terraformState(serial: 1, resources: 2))
        api.write("team/db", terraformState(serial: 1, resources: 0))
        api.write("zeta", stateBody(serial: 3))
        api.send("LOCK", "/state/team/db", body: String(decoding: lockBody("L9", who: "ci@runner"), as: UTF8.self))

        let first = try api.json(api.send("GET", "/api/v1/states?limit=2", user: "viewer"))
        let states = try #require(first["states"] as? [[String: Any]])
        #expect(states.map { $0["name"] as? String } == ["team/app", "team/db"])
        #expect(states[0]["serial"] as? Int == 1)
        #expect(states[0]["resource_count"] as? Int == 2)
        #expect(states[0]["terraform_version"] as? String == "1.15.5")
        #expect(states[0]["updated_by"] as? String == "root")
        #expect(states[0]["updated_at"] as? String == api.fixture.clock.now().description)
        #expect(states[0]["lock"] is NSNull)
        #expect((states[1]["lock"] as? [String: Any])?["who"] as? String == "ci@runner")
        #expect(states[0]["outputs"] == nil, "a listing never carries outputs")
        let cursor = try #require(first["next_cursor"] as? String)
        let second = try api.json(api.send("GET", "/api/v1/states?limit=2&cursor=\(cursor)", user: "viewer"))
        #expect((second["states"] as? [[String: Any]])?.map { $0["name"] as? String } == ["zeta"])
        #expect(second["next_cursor"] is NSNull)

        let team = try api.json(api.send("GET", "/api/v1/states?prefix=team/", user: "ci"))
        #expect((team["states"] as? [[String: Any]])?.count == 2)
        let found = try api.json(api.send("GET", "/api/v1/states?prefix=team/&contains=DB", user: "ci"))
        #expect((found["states"] as? [[String: Any]])?.map { $0["name"] as? String } == ["team/db"])
        let long = String(repeating: "a", count: 201)
        let tooLong = api.send("GET", "/api/v1/states?contains=\(long)")
        #expect(tooLong.status == .badRequest)
        #expect(try api.json(tooLong)["error"] as? String == "the search text is longer than 200 bytes")
        let ci = try api.json(api.send("GET", "/api/v1/states", user: "ci"))
        #expect((ci["states"] as? [[String: Any]])?.count == 2, "ci cannot read zeta")

        for bad in ["limit=0", "limit=1001", "limit=x", "cursor=zz", "deleted=maybe", "prefx=team"] {
            let response = api.send("GET", "/api/v1/states?\(bad)")
            #expect(response.status == .badRequest, "\(bad)")
            #expect(try api.json(response)["error"] is String)
        }
    }

    @Test(arguments: StoreKind.available)
    func aStateShowsOutputNamesButNeverTheirValues(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        api.write("team/app", terraformState(serial: 1, resources: 1))
        api.write("team/app", terraformState(serial: 2, resources: 1))
        let response = api.send("GET", "/api/v1/states/team/app", user: "viewer")
        #expect(response.status == .ok)
        let details = try api.json(response)
        #expect(details["outputs"] as? [String] == ["endpoint", "password"])
        #expect(details["version_count"] as? Int == 2)
        #expect(details["version"] as? Int == 2)
        #expect(!response.text.contains("s3cr3t"))
        #expect(!response.text.contains("example.test"))
        #expect(api.send("GET", "/api/v1/states/team/none").status == .notFound)
        #expect(api.send("GET", "/api/v1/states/a%20b").status == .badRequest)
        #expect(api.send("GET", "/api/v1/states/other", user: "ci").status == .forbidden)
    }

    @Test(arguments: StoreKind.available)
    func aStaleLockIsFoundAndClearedByAnAdminOnly(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        api.send("LOCK", "/state/team/app", body: String(decoding: lockBody("L1", who: "ci@laptop"), as: UTF8.self))
        api.fixture.clock.advance(seconds: 7200)
        api.send("LOCK", "/state/team/new", body: String(decoding: lockBody("L2"), as: UTF8.self))

        let stale = try api.json(api.send("GET", "/api/v1/locks?older_than=1h", user: "viewer"))
        let locks = try #require(stale["locks"] as? [[String: Any]])
        #expect(locks.map { $0["state"] as? String } == ["team/app"])
        let lock = try #require(locks.first?["lock"] as? [String: Any])
        #expect(lock["id"] as? String == "L1")
        #expect(lock["who"] as? String == "ci@laptop")
        #expect(lock["operation"] as? String == "OperationTypeApply")
        #expect(lock["age_seconds"] as? Int == 7200)
        #expect(lock["acquired_by"] as? String == "root")
        #expect(try api.json(api.send("GET", "/api/v1/locks"))["locks"] as? [Any] != nil)
        let first = try api.json(api.send("GET", "/api/v1/locks?limit=1"))
        #expect((first["locks"] as? [[String: Any]])?.map { $0["state"] as? String } == ["team/app"])
        let cursor = try #require(first["next_cursor"] as? String)
        let second = try api.json(api.send("GET", "/api/v1/locks?limit=1&cursor=\(cursor)"))
        #expect((second["locks"] as? [[String: Any]])?.map { $0["state"] as? String } == ["team/new"])
        // A full page always gives a cursor; the page after the last lock is empty.
        let next = try #require(second["next_cursor"] as? String)
        let last = try api.json(api.send("GET", "/api/v1/locks?limit=1&cursor=\(next)"))
        #expect((last["locks"] as? [Any])?.isEmpty == true && last["next_cursor"] is NSNull)
        let stateCursor = try #require(
            try api.json(api.send("GET", "/api/v1/states?limit=1"))["next_cursor"] as? String)
        #expect(api.send("GET", "/api/v1/locks?cursor=\(stateCursor)").status == .badRequest)
        #expect(api.send("GET", "/api/v1/states?cursor=\(cursor)").status == .badRequest)
        #expect(api.send("GET", "/api/v1/locks?older_than=soon").status == .badRequest)
        let misspelt = api.send("GET", "/api/v1/locks?older-than=1h")
        #expect(misspelt.status == .badRequest, "a misspelt filter never lists every lock")
        #expect(
            try api.json(misspelt)["error"] as? String
                == #"unknown query parameter "older-than"; this route takes cursor, limit, older_than"#)

        #expect(api.send("DELETE", "/api/v1/states/team/app/lock", user: "viewer").status == .forbidden)
        #expect(api.send("DELETE", "/api/v1/states/team/app/lock", user: "ci").status == .forbidden)
        let mismatch = api.send("DELETE", "/api/v1/states/team/app/lock", body: #"{"id":"L0"}"#)
        #expect(mismatch.status == .conflict)
        let holder = try #require(try api.json(mismatch)["lock"] as? [String: Any])
        #expect(holder["id"] as? String == "L1")
        #expect(holder["acquired_by"] as? String == "root")
        #expect(holder["age_seconds"] as? Int == 7200)
        #expect(api.send("DELETE", "/api/v1/states/team/app/lock", body: #"{"idd":"L1"}"#).status == .badRequest)
        #expect(api.send("DELETE", "/api/v1/states/team/app/lock", body: "{").status == .badRequest)
        let cleared = api.send(
            "DELETE", "/api/v1/states/team/app/lock", body: #"{"id":"L1","reason":"laptop asleep"}"#)
        #expect(cleared.status == .ok)
        #expect(try api.json(cleared)["status"] as? String == "force-unlocked")
        #expect(try api.json(api.send("DELETE", "/api/v1/states/team/app/lock"))["status"] as? String == "not locked")
        #expect(api.send("DELETE", "/api/v1/states/team/none/lock").status == .notFound)
        // Terraform can lock again.
        #expect(
            api.send("LOCK", "/state/team/app", body: String(decoding: lockBody("L3"), as: UTF8.self)).status == .ok)

        let audit = try api.json(api.send("GET", "/api/v1/audit?state=team/app", user: "viewer"))
        let events = try #require(audit["events"] as? [[String: Any]])
        #expect(events.map { $0["action"] as? String } == ["lock", "force-unlock", "lock"])
        #expect(events[1]["reason"] as? String == "laptop asleep")
        #expect(events[1]["user"] as? String == "root")
        #expect(events[1]["address"] as? String == "192.0.2.1", "the host, without the port")
        #expect(events[1]["request_id"] as? String == "req-DELETE")
        #expect(events[1]["lock_id"] as? String == "L1")
    }

    @Test(arguments: StoreKind.available)
    func historyIsReadPurgedRolledBackAndDiffed(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        for serial in 1...3 {
            api.write("team/app", terraformState(serial: Int64(serial), resources: serial), user: "ci")
        }

        let listed = try api.json(api.send("GET", "/api/v1/states/team/app/versions?limit=2", user: "viewer"))
        let versions = try #require(listed["versions"] as? [[String: Any]])
        #expect(versions.map { $0["number"] as? Int } == [3, 2])
        #expect(versions.map { $0["current"] as? Bool } == [true, false])
        #expect(versions[0]["created_by"] as? String == "ci")
        #expect(
            versions[0]["sha256"] as? String
                == StateBlob.sha256(terraformState(serial: 3, resources: 3)).map { String(format: "%02x", $0) }.joined()
        )
        #expect(listed["next_before"] as? Int == 2)
        let older = try api.json(api.send("GET", "/api/v1/states/team/app/versions?before=2", user: "viewer"))
        #expect((older["versions"] as? [[String: Any]])?.map { $0["number"] as? Int } == [1])
        #expect(older["next_before"] is NSNull)

        let plain = api.send("GET", "/api/v1/states/team/app/versions/1", user: "viewer")
        #expect(plain.status == .ok)
        #expect(plain.body == terraformState(serial: 1, resources: 1))
        #expect(plain.headers["X-Statehouse-Serial"] == "1")
        let zipped = api.send(
            "GET", "/api/v1/states/team/app/versions/1", user: "viewer", headers: [("Accept-Encoding", "gzip")])
        #expect(zipped.headers["Content-Encoding"] == "gzip")
        #expect(try Gzip.decompress(zipped.body) == terraformState(serial: 1, resources: 1))
        #expect(api.send("GET", "/api/v1/states/team/app/versions/9").status == .notFound)

        let diff = api.send("GET", "/api/v1/states/team/app/diff?from=1&to=3", user: "viewer")
        #expect(diff.status == .ok)
        let changes = try api.json(diff)
        #expect(changes["from"] as? Int == 1)
        #expect(changes["to"] as? Int == 3)
        let resources = try #require(changes["resources"] as? [String: Any])
        #expect(resources["added"] as? [String] == ["terraform_data.item1", "terraform_data.item2"])
        #expect(!diff.text.contains("s3cr3t"))
        #expect(api.send("GET", "/api/v1/states/team/app/diff?from=x").status == .badRequest)
        let first = api.send("GET", "/api/v1/states/team/app/diff?to=1")
        #expect(first.status == .notFound)
        #expect(first.text.contains("version 1 is the first version of team/app"))

        #expect(api.send("DELETE", "/api/v1/states/team/app/versions/1", user: "ci").status == .forbidden)
        #expect(api.send("DELETE", "/api/v1/states/team/app/versions/3").status == .conflict)
        let purged = api.send("DELETE", "/api/v1/states/team/app/versions/1", body: #"{"reason":"leaked"}"#)
        #expect(purged.status == .ok)
        #expect(try api.json(purged)["purge_reason"] as? String == "leaked")
        #expect(api.send("GET", "/api/v1/states/team/app/versions/1").status == HTTPStatus(code: 410))

        #expect(
            api.send("POST", "/api/v1/states/team/app/rollback", user: "viewer", body: #"{"version":2}"#).status
                == .forbidden)
        #expect(api.send("POST", "/api/v1/states/team/app/rollback", user: "ci", body: "{}").status == .badRequest)
        #expect(
            api.send("POST", "/api/v1/states/team/app/rollback", user: "ci", body: #"{"version":"2"}"#).status
                == .badRequest)
        #expect(
            api.send("POST", "/api/v1/states/team/app/rollback", user: "ci", body: #"{"version":1}"#).status
                == HTTPStatus(code: 410))
        api.send("LOCK", "/state/team/app", body: String(decoding: lockBody("busy"), as: UTF8.self))
        let locked = api.send("POST", "/api/v1/states/team/app/rollback", user: "ci", body: #"{"version":2}"#)
        #expect(locked.status == .conflict)
        #expect((try api.json(locked)["lock"] as? [String: Any])?["id"] as? String == "busy")
        api.send("UNLOCK", "/state/team/app", body: String(decoding: lockBody("busy"), as: UTF8.self))
        let form = api.send(
            "POST", "/api/v1/states/team/app/rollback", user: "ci", body: #"{"version":2}"#,
            headers: [("Content-Type", "text/plain")])
        #expect(form.status == HTTPStatus(code: 415), "a cross-site form cannot roll back")
        let rolled = api.send(
            "POST", "/api/v1/states/team/app/rollback", user: "ci", body: #"{"version":2,"reason":"revert 3"}"#,
            headers: [("Content-Type", "application/json; charset=utf-8")])
        #expect(rolled.status == .ok)
        let version = try #require(try api.json(rolled)["version"] as? [String: Any])
        #expect(version["number"] as? Int == 4)
        #expect(version["serial"] as? Int == 4)
        #expect(version["rollback_of"] as? Int == 2)
        let current = api.send("GET", "/state/team/app")
        #expect(current.body == terraformState(serial: 4, resources: 2))

        let audit = try api.json(api.send("GET", "/api/v1/audit?state=team/app&limit=100"))
        #expect(
            (audit["events"] as? [[String: Any]])?.map { $0["action"] as? String }
                == ["write", "write", "write", "purge-version", "lock", "unlock", "rollback"])
    }

    @Test(arguments: StoreKind.available)
    func encryptedStatesAnswerThatTheyCannotBeDiffed(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        api.write("tofu", encryptedState(serial: 1))
        api.write("tofu", encryptedState(serial: 2))
        let diff = api.send("GET", "/api/v1/states/tofu/diff")
        #expect(diff.status == HTTPStatus(code: 422))
        #expect((try api.json(diff)["error"] as? String)?.contains("encrypted") == true)
        #expect(
            api.send("POST", "/api/v1/states/tofu/rollback", body: #"{"version":1}"#).status == HTTPStatus(code: 422))
        #expect(try api.json(api.send("GET", "/api/v1/states/tofu"))["encrypted"] as? Bool == true)
    }

    @Test(arguments: StoreKind.available)
    func deletedStatesAreListedAndRestoredByAnAdmin(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        api.write("team/app", stateBody(serial: 5))
        #expect(api.send("DELETE", "/state/team/app").status == .ok)
        #expect((try api.json(api.send("GET", "/api/v1/states"))["states"] as? [Any])?.isEmpty == true)
        let deleted = try api.json(api.send("GET", "/api/v1/states?deleted=true"))
        let entry = try #require((deleted["states"] as? [[String: Any]])?.first)
        #expect(entry["deleted_by"] as? String == "root")
        #expect(entry["name"] as? String == "team/app")
        #expect(api.send("POST", "/api/v1/states/team/app/restore", user: "ci").status == .forbidden)
        let restored = api.send("POST", "/api/v1/states/team/app/restore", body: #"{"id":\#(entry["id"] as! Int)}"#)
        #expect(restored.status == .ok)
        #expect(try api.json(restored)["serial"] as? Int == 5)
        #expect(api.send("GET", "/state/team/app").body == stateBody(serial: 5))
        #expect(api.send("POST", "/api/v1/states/team/app/restore").status == .conflict)
        #expect(api.send("POST", "/api/v1/states/nothing/restore").status == .notFound)
    }

    @Test(arguments: StoreKind.available)
    func theAuditLogIsPagedAndFiltered(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        for serial in 1...3 { api.write("team/app", stateBody(serial: Int64(serial)), user: "ci") }
        api.write("secret/app", stateBody(serial: 1))
        let first = try api.json(api.send("GET", "/api/v1/audit?limit=2", user: "ci"))
        #expect((first["events"] as? [[String: Any]])?.map { $0["version"] as? Int } == [1, 2])
        let after = try #require(first["next_after"] as? Int)
        let rest = try api.json(api.send("GET", "/api/v1/audit?limit=2&after=\(after)", user: "ci"))
        #expect(
            (rest["events"] as? [[String: Any]])?.map { $0["state"] as? String } == ["team/app"], "ci sees team only")
        #expect(rest["next_after"] is NSNull)
        api.fixture.clock.advance(seconds: 60)
        api.write("team/app", stateBody(serial: 4), user: "ci")
        let since = api.fixture.clock.now().description
        let recent = try api.json(api.send("GET", "/api/v1/audit?since=\(since)"))
        #expect((recent["events"] as? [[String: Any]])?.map { $0["version"] as? Int } == [4])
        #expect(api.send("GET", "/api/v1/audit?since=yesterday").status == .badRequest)
        #expect(api.send("GET", "/api/v1/audit?state=secret/app", user: "ci").status == .forbidden)
        let byRoot = try api.json(api.send("GET", "/api/v1/audit?user=root&action=write"))
        #expect((byRoot["events"] as? [[String: Any]])?.map { $0["state"] as? String } == ["secret/app"])
        let byCI = try api.json(api.send("GET", "/api/v1/audit?user=ci&action=write&since=\(since)"))
        #expect((byCI["events"] as? [[String: Any]])?.map { $0["version"] as? Int } == [4])
        #expect((try api.json(api.send("GET", "/api/v1/audit?action=lock"))["events"] as? [Any])?.isEmpty == true)
        let unknown = api.send("GET", "/api/v1/audit?action=writes")
        #expect(unknown.status == .badRequest)
        let message = try #require(try api.json(unknown)["error"] as? String)
        #expect(
            message.hasPrefix("action must be one of write, lock, unlock, force-unlock,")
                && message.hasSuffix("not writes"))
    }

    @Test(arguments: StoreKind.available)
    func namesEndingInARouteWordAreReachedWithEncodedSlashes(kind: StoreKind) throws {
        let api = try ManagedAPI(kind)
        api.write("team/versions", stateBody(serial: 1))
        api.write("team", stateBody(serial: 1))
        #expect(try api.json(api.send("GET", "/api/v1/states/team%2Fversions"))["name"] as? String == "team/versions")
        let versions = try api.json(api.send("GET", "/api/v1/states/team/versions"))
        #expect(versions["versions"] as? [Any] != nil, "the plain path is team's version list")
        #expect(api.send("GET", "/api/v1/states/team%2Fversions/versions/1").body == stateBody(serial: 1))
    }
}
