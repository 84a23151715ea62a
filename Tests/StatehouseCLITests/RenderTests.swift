import APITypes
import Foundation
import HTTPTransport
import Testing

@testable import StatehouseCLI

@Suite struct RenderTests {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try APIJSON.decoder.decode(type, from: Data(json.utf8))
    }

    @Test func rendersTheStateList() throws {
        let list = try self.decode(
            StateList.self,
            """
            {"states": [\(Fixture.state("team/app", lock: Fixture.lock)),
              {"name": "team/new", "id": 8, "created_at": "2026-11-22T10:00:00.000000Z", "version": null,
               "serial": null, "lineage": null, "size": null, "terraform_version": null, "resource_count": null,
               "encrypted": false, "updated_at": null, "updated_by": null,
               "lock": \(Fixture.lock.replacingOccurrences(of: "me@host", with: "")),
               "deleted_at": null, "deleted_by": null}],
             "next_cursor": null}
            """)
        #expect(
            Render.states(list.states, deleted: false) == """
                NAME      SERIAL  VERSION  RESOURCES  TF      UPDATED               BY     LOCK
                team/app  5       3        2          1.15.5  2026-11-22 10:11:12Z  alice  me@host 3m12s
                team/new  -       -        -          -       -                     -      alice 3m12s
                """)
        #expect(Render.states([], deleted: false) == "No states.")
    }

    @Test func rendersDeletedStatesWithTheirIDs() throws {
        let state = try self.decode(
            StateSummary.self,
            Fixture.state("old", extra: "").replacingOccurrences(
                of: "\"deleted_at\": null, \"deleted_by\": null",
                with: "\"deleted_at\": \"2026-11-23T01:02:03.000000Z\", \"deleted_by\": \"bob\""))
        #expect(
            Render.states([state], deleted: true) == """
                ID  NAME  SERIAL  VERSION  RESOURCES  TF      UPDATED               BY     DELETED               DELETED BY
                7   old   5       3        2          1.15.5  2026-11-22 10:11:12Z  alice  2026-11-23 01:02:03Z  bob
                """)
    }

    @Test func rendersStateDetail() throws {
        let state = try self.decode(
            StateDetail.self,
            Fixture.state(
                "team/app", lock: Fixture.lock, extra: ", \"outputs\": [\"url\", \"id\"], \"version_count\": 4"))
        #expect(
            Render.state(state) == """
                name:       team/app
                id:         7
                version:    3 (4 kept)
                serial:     5
                lineage:    9b2f
                size:       1.2 KiB
                terraform:  1.15.5
                resources:  2
                encrypted:  no
                created:    2026-11-20 08:00:00Z
                updated:    2026-11-22 10:11:12Z by alice
                lock:       5c1d (apply by me@host, taken by alice 3m12s ago)
                outputs:
                  url
                  id
                """)
    }

    @Test func rendersLocks() throws {
        let list = try self.decode(LockList.self, "{\"locks\": [{\"state\": \"team/app\", \"lock\": \(Fixture.lock)}]}")
        #expect(
            Render.locks(list.locks) == """
                STATE     LOCK ID  WHO      OPERATION  AGE    ACQUIRED BY
                team/app  5c1d     me@host  apply      3m12s  alice
                """)
        #expect(Render.locks([]) == "No locks held.")
        #expect(Render.operation("") == "-")
        #expect(Render.operation("custom") == "custom")
    }

    @Test func rendersLocksTheSameWayEverywhere() throws {
        let lock = try self.decode(Lock.self, Fixture.lock)
        #expect(Render.lockHolder(lock) == "5c1d (apply by me@host, taken by alice 3m12s ago)")
        let bare = Lock(
            id: "x", operation: "", who: "", info: "", version: "", created: "", path: "",
            acquiredAt: "2026-11-22T10:11:12.123456Z", acquiredBy: "alice", ageSeconds: 5)
        #expect(Render.lockHolder(bare) == "x (taken by alice 5s ago)")
        var plan = bare
        plan.operation = "OperationTypePlan"
        #expect(Render.lockHolder(plan) == "x (plan, taken by alice 5s ago)")
        #expect(Render.operations(in: "OperationTypeApply by ci@runner") == "apply by ci@runner")
        #expect(
            Render.operations(in: "held by a for OperationTypePlan since t; OperationType")
                == "held by a for plan since t; OperationType")
    }

    @Test func confirmsRestoresAndPurges() throws {
        let state = try self.decode(
            StateDetail.self, Fixture.state("team/app", extra: ", \"outputs\": [], \"version_count\": 3"))
        #expect(Render.restored(state) == "Restored team/app (state ID 7): version 3, serial 5.")
        var empty = state
        empty.summary.version = nil
        #expect(Render.restored(empty) == "Restored team/app (state ID 7): no version yet.")
        var version = try self.decode(Version.self, Fixture.version(2, serial: 4))
        #expect(Render.purged(version, name: "a") == "Purged version 2 of a.")
        version.purgedAt = "2026-11-23T08:09:10.000000Z"
        version.purgedBy = "root"
        #expect(Render.purged(version, name: "a") == "Purged version 2 of a (by root at 2026-11-23 08:09:10Z).")
    }

    @Test func rendersVersionsWithNotes() throws {
        var purged = try self.decode(Version.self, Fixture.version(1, serial: 1))
        purged.purgedAt = "2026-11-23T00:00:00.000000Z"
        purged.purgedBy = "bob"
        purged.purgeReason = "leaked secret"
        let versions = [
            try self.decode(Version.self, Fixture.version(3, serial: 6, rollbackOf: "1", current: true)),
            try self.decode(Version.self, Fixture.version(2, serial: 5)), purged,
        ]
        #expect(
            Render.versions(versions) == """
                VERSION  SERIAL  SIZE     CREATED               BY     NOTE
                3        6       2.0 KiB  2026-11-22 10:11:12Z  alice  current, rollback of 1
                2        5       2.0 KiB  2026-11-22 10:11:12Z  alice
                1        1       2.0 KiB  2026-11-22 10:11:12Z  alice  purged by bob: leaked secret
                """)
    }

    @Test func rendersDiffs() throws {
        let diff = try self.decode(
            Diff.self,
            """
            {"from": 2, "to": 3,
             "resources": {"added": ["aws_x.a"], "removed": ["aws_x.old"], "changed": [
                {"address": "terraform_data.x", "attributes": [
                   {"path": "input", "before": "a", "after": {"k": [1, 2.5, true, null]}},
                   {"path": "triggers.password", "before": "(sensitive)", "after": "(sensitive)"}]}]},
             "outputs": {"added": ["o"], "removed": ["gone"], "changed": [
                {"name": "url", "before": "http://a\\n", "after": 3}]}}
            """)
        #expect(
            Render.diff(diff, name: "team/app") == """
                team/app: version 2 → 3
                + aws_x.a
                - aws_x.old
                ~ terraform_data.x
                    input: "a" → {"k":[1,2.5,true,null]}
                    triggers.password: (sensitive) → (sensitive)
                + output o
                - output gone
                ~ output url: "http://a\\n" → 3
                """)
        let empty = Diff(
            from: 1, to: 2, resources: .init(added: [], removed: [], changed: []),
            outputs: .init(added: [], removed: [], changed: []))
        #expect(Render.diff(empty, name: "a") == "a: version 1 → 2\nNo changes.")
    }

    @Test func rendersTheAuditLog() throws {
        let list = try self.decode(
            AuditPage.self,
            """
            {"events": [
              {"id": 41, "at": "2026-11-22T10:11:12.123456Z", "action": "write", "state": "team/app", "version": 3,
               "user": "alice", "address": "127.0.0.1", "request_id": "r1", "lock_id": null, "reason": null,
               "detail": null},
              {"id": 42, "at": "2026-11-22T10:12:00.000000Z", "action": "force-unlock", "state": "team/app",
               "version": null, "user": "root", "address": null, "request_id": null,
               "lock_id": "f2a1c3d4-0000-4000-8000-000000000001", "reason": "stuck CI job",
               "detail": "held by ci@runner for OperationTypeApply"},
              {"id": 43, "at": "2026-11-22T10:13:00.000000Z", "action": "lock", "state": "team/db", "version": null,
               "user": "ci", "address": null, "request_id": null, "lock_id": "short", "reason": null,
               "detail": "OperationTypePlan by me@host"}],
             "next_after": 42}
            """)
        #expect(
            Render.audit(list.events) == """
                TIME                  ACTION        STATE     VERSION  USER   ADDRESS    LOCK ID    REASON/DETAIL
                2026-11-22 10:11:12Z  write         team/app  3        alice  127.0.0.1  -
                2026-11-22 10:12:00Z  force-unlock  team/app  -        root   -          f2a1c3d4…  stuck CI job; held by ci@runner for apply
                2026-11-22 10:13:00Z  lock          team/db   -        ci     -          short      plan by me@host
                """)
    }

    @Test func rendersJSONValuesCompactly() throws {
        let value = try self.decode(JSONValue.self, #"{"b": "q\"\u0001", "a": [-1, 1e300, false]}"#)
        #expect(value.rendered == #"{"a":[-1,1e+300,false],"b":"q\"\u0001"}"#)
    }

    @Test func explainsErrorAnswers() {
        func answer(_ status: Int, _ body: String, headers: [(name: String, value: String)] = [], reason: String = "")
            -> CLIError
        {
            CLIError.answer(
                HTTPResponse(status: status, reason: reason, headers: headers, body: Array(body.utf8)),
                server: "https://sh.example", sentCredentials: true)
        }
        #expect(answer(404, #"{"error": "no state team/app"}"#).description == "no state team/app (HTTP 404)")
        #expect(
            answer(409, #"{"error": "team/app is locked", "lock": \#(Fixture.lock)}"#).description
                == "team/app is locked (HTTP 409)\n  lock 5c1d (apply by me@host, taken by alice 3m12s ago)"
        )
        #expect(
            answer(409, #"{"error": "locked by lock-2", "lock": {"id": "lock-2"}}"#).description
                == "locked by lock-2 (HTTP 409)")
        #expect(
            answer(503, #"{"error": "store unavailable"}"#, headers: [("Retry-After", "2")]).description
                == "store unavailable (HTTP 503); retry in 2 s")
        #expect(answer(502, "<html>", reason: "Bad Gateway").description == "Bad Gateway (HTTP 502)")
        #expect(answer(500, "").exitStatus == 1)
        #expect(
            answer(401, #"{"error": "authentication required"}"#).description
                == "wrong user or password for https://sh.example (HTTP 401)")
        let anonymous = CLIError.answer(
            HTTPResponse(status: 401, reason: "", headers: [], body: Array(#"{"error": "who are you"}"#.utf8)),
            server: "https://sh.example", sentCredentials: false)
        #expect(anonymous.description.hasPrefix("who are you (HTTP 401); set STATEHOUSE_API_USER"))
    }
}
