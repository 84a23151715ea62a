import Application
import Dispatch
import Foundation
import HTTPTestSupport
import PostgresStore
import Synchronization
import SystemSupport
import Testing

/// Key rotation through the real binary: write under key A, put B first, `statehouse rekey`,
/// remove A, and everything still reads; interrupted and run again; two servers serving meanwhile.
@Suite struct RekeyTests {
    /// A's id is shorter than B's, so a re-sealed version never fits its old cell exactly and
    /// SQLite cannot simply overwrite it in place.
    static let keyA = "old:" + Base64.encode(Array(repeating: 1, count: 32))
    static let keyB = "2026-12:" + Base64.encode(Array(repeating: 2, count: 32))
    /// The first bytes of everything sealed with A and with B.
    static let headerA: [UInt8] = [0x53, 0x48, 0x45, 0x01, 3] + Array("old".utf8)
    static let headerB: [UInt8] = [0x53, 0x48, 0x45, 0x01, 7] + Array("2026-12".utf8)

    static var stores: [EndToEndStore] { TestEnvironment.postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// The `[encryption]` table with `keys`, the first sealing.
    static func encryption(_ keys: [String]) -> String {
        "[encryption]\nkeys = [\(keys.map { "\"\($0)\"" }.joined(separator: ", "))]"
    }

    /// Runs `statehouse rekey` on the store at `url` with `keys`.
    static func rekey(_ store: EndToEndStore, _ url: String, keys: [String], batch: Int) throws -> (
        status: Int32, output: String
    ) {
        try TestEnvironment.run(
            [
                ServerProcess.binaryPath, "rekey", "--config", try self.config(store, url, keys: keys), "--batch",
                "\(batch)",
            ])
    }

    static func config(_ store: EndToEndStore, _ url: String, keys: [String]) throws -> String {
        let storage =
            store == .sqlite ? "driver = \"sqlite\"\npath = \"\(url)\"" : "driver = \"postgres\"\nurl = \"\(url)\""
        return try TestEnvironment.writeConfig("[storage]\n\(storage)\n\(self.encryption(keys))\n")
    }

    /// A state body padded with `padding` random hex digits (which gzip only halves).
    static func body(_ state: String, serial: Int, padding: Int = 0) -> String {
        let pad = (0..<padding).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
        return
            #"{"version":4,"serial":\#(serial),"lineage":"\#(state)","outputs":{"pad":{"value":"\#(pad)","type":"string"}}}"#
            + "\n"
    }

    /// Reads every version of `bodies` (state → body of version 1, 2, …) and the latest of each.
    static func expectEveryVersion(_ bodies: [String: [String]], on server: StatehouseUnderTest) throws {
        let client = try server.client()
        for (state, versions) in bodies {
            #expect(try client.request("GET", "/state/\(state)").text == versions.last)
            for (index, body) in versions.enumerated() {
                let reply = try client.request("GET", "/api/v1/states/\(state)/versions/\(index + 1)")
                #expect(reply.status == 200 && reply.text == body, "\(state) \(index + 1): \(reply.text)")
            }
        }
    }

    @Test(arguments: RekeyTests.stores)
    func versionsWrittenPlainAndUnderAnOldKeyReadWithOnlyTheNewOneAfterARekey(store: EndToEndStore) throws {
        var url: String? = nil
        var bodies: [String: [String]] = [:]
        let states = ["team/app", "team/db", "ops/net"]
        // Unencrypted first, then under A.
        for (configuration, serials) in [("", 1...2), (Self.encryption([Self.keyA]), 3...4)] {
            let server = try StatehouseUnderTest(store: store, databaseURL: url, configuration: configuration)
            url = server.databaseURL
            let client = try server.client()
            for state in states {
                for serial in serials {
                    let body = Self.body(state, serial: serial, padding: 12_000)
                    #expect(try client.request("POST", "/state/\(state)", body: body).status == 200)
                    bodies[state, default: []].append(body)
                }
            }
        }
        let database = try #require(url)

        // B first on the server, which keeps running (and writing under B) during the rekey.
        do {
            let server = try StatehouseUnderTest(
                store: store, databaseURL: database, configuration: Self.encryption([Self.keyB, Self.keyA]))
            let client = try server.client()
            for state in states {
                let body = Self.body(state, serial: 5)
                #expect(try client.request("POST", "/state/\(state)", body: body).status == 200)
                bodies[state, default: []].append(body)
            }
            if store == .sqlite { #expect(Self.onDisk(database).firstRange(of: Self.headerA) != nil) }
            let result = try Self.rekey(store, database, keys: [Self.keyB, Self.keyA], batch: 4)
            #expect(result.status == 0, "\(result.output)")
            #expect(
                result.output.contains(
                    "12 versions re-encrypted with key 2026-12 (6 from old, 6 unencrypted); "
                        + "3 versions were under key 2026-12 already"), "\(result.output)")
            let audit = try client.request("GET", "/api/v1/audit?limit=100").body
            let events = try #require(
                (try JSONSerialization.jsonObject(with: Data(audit)) as? [String: Any])?["events"] as? [[String: Any]])
            let rekeys = events.filter { $0["action"] as? String == "rekey" }
            #expect(
                rekeys.count == 1 && rekeys.first?["state"] is NSNull
                    && rekeys.first?["user"] as? String == "statehouse")
            #expect(
                (rekeys.first?["detail"] as? String)?.hasPrefix("12 versions re-encrypted with key 2026-12") == true)

            let again = try Self.rekey(store, database, keys: [Self.keyB, Self.keyA], batch: 4)
            #expect(again.output.contains("0 versions re-encrypted with key 2026-12; 15 versions were under"))
        }

        // A removed: every version of every state still reads.
        let server = try StatehouseUnderTest(
            store: store, databaseURL: database, configuration: Self.encryption([Self.keyB]))
        try Self.expectEveryVersion(bodies, on: server)

        if store == .sqlite {
            // Nothing sealed with A is left in the file or its log: secure_delete zeroed the old
            // pages and the log was checkpointed and truncated.
            let bytes = Self.onDisk(database)
            #expect(bytes.firstRange(of: Self.headerA) == nil, "a version sealed with A is still on disk")
            #expect(bytes.firstRange(of: Self.headerB) != nil)
        }
    }

    /// The bytes of an SQLite database file and its write-ahead log.
    static func onDisk(_ path: String) -> [UInt8] {
        [path, path + "-wal"].flatMap { [UInt8](FileManager.default.contents(atPath: $0) ?? Data()) }
    }

    @Test func withoutAKeyRekeyRefusesAndSaysWhy() throws {
        let path = try TestEnvironment.temporaryDirectory() + "/states.db"
        let config = try TestEnvironment.writeConfig("[storage]\ndriver = \"sqlite\"\npath = \"\(path)\"\n")
        let result = try TestEnvironment.run([ServerProcess.binaryPath, "rekey", "--config", config])
        #expect(result.status != 0)
        #expect(result.output.contains("no encryption key is configured"))
        #expect(result.output.contains("nothing to encrypt with"))
    }
}

/// Rekeys on PostgreSQL: interrupted and finished by a second run; beside two serving servers.
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct PostgresRekeyTests {
    /// A PostgreSQL store on `url`, for looking at stored contents.
    func store(_ url: String) -> PostgresStore {
        PostgresStore(
            configuration: .init(url: url, poolSize: 2, checkoutTimeout: .seconds(10), statementTimeout: .seconds(60)))
    }

    @Test func aRekeyKilledMidRunIsFinishedByTheNext() throws {
        var bodies: [String: [String]] = [:]
        let url: String
        do {
            let server = try StatehouseUnderTest(configuration: RekeyTests.encryption([RekeyTests.keyA]))
            url = server.databaseURL
            let client = try server.client()
            for index in 1...30 {
                let body = RekeyTests.body("s\(index)", serial: 1)
                #expect(try client.request("POST", "/state/s\(index)", body: body).status == 200)
                bodies["s\(index)"] = [body]
            }
        }
        let store = self.store(url)
        let pending = try store.read {
            try $0.storedContents.versions(notBeginningWith: RekeyTests.headerB, after: nil, limit: 100)
        }
        #expect(pending.count == 30)

        // The 16th version's row is locked, so a rekey of one version a batch re-seals 15 and
        // waits there; it is killed while it waits.
        let blocked = pending[15].position
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { released.signal() }
            _ = try? store.transaction { transaction in
                let contents = transaction.storedContents
                let bytes = try #require(try contents.content(stateID: blocked.stateID, number: blocked.number))
                _ = try contents.replace(stateID: blocked.stateID, number: blocked.number, with: bytes)
                locked.signal()
                release.wait()
                throw TestEnvironmentError("rolled back")
            }
        }
        #expect(locked.wait(timeout: .now() + 30) == .success)
        let keys = [RekeyTests.keyB, RekeyTests.keyA]
        let rekey = try ServerProcess(
            arguments: ["rekey", "--config", try RekeyTests.config(.postgres, url, keys: keys), "--batch", "1"])
        let progress = rekey.waitForLine(containing: "15/30 versions", skipping: 0, standardError: true, timeout: 60)
        #expect(progress != nil, "\(rekey.standardError)")
        rekey.send(SIGKILL)
        #expect(rekey.waitForExit() != nil)
        #expect(try store.read { try $0.storedContents.tally(prefix: RekeyTests.headerB) }.matching == 15)
        release.signal()
        #expect(released.wait(timeout: .now() + 30) == .success)

        let again = try RekeyTests.rekey(.postgres, url, keys: keys, batch: 1)
        #expect(again.status == 0, "\(again.output)")
        #expect(
            again.output.contains(
                "15 versions re-encrypted with key 2026-12 (15 from old); 15 versions were under key 2026-12 already"),
            "\(again.output)")
        #expect(again.output.contains("VACUUM FULL state_versions"))
        let server = try StatehouseUnderTest(databaseURL: url, configuration: RekeyTests.encryption([RekeyTests.keyB]))
        try RekeyTests.expectEveryVersion(bodies, on: server)
    }

    @Test func twoServersKeepServingWhileARekeyRunsInManyBatches() throws {
        let url: String
        var bodies: [String: [String]] = [:]
        do {
            let server = try StatehouseUnderTest(configuration: RekeyTests.encryption([RekeyTests.keyA]))
            url = server.databaseURL
            let client = try server.client()
            for index in 1...200 {
                let body = RekeyTests.body("bulk/\(index)", serial: 1, padding: 2000)
                #expect(try client.request("POST", "/state/bulk/\(index)", body: body).status == 200)
                bodies["bulk/\(index)"] = [body]
            }
        }
        // B first on every server, restarted.
        let ring = RekeyTests.encryption([RekeyTests.keyB, RekeyTests.keyA])
        let servers = [
            try StatehouseUnderTest(databaseURL: url, configuration: ring),
            try StatehouseUnderTest(databaseURL: url, configuration: ring),
        ]
        let finished = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let written = Mutex<[String: [String]]>([:])
        let started = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        let clients = 4
        for index in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var signalled = false
                defer { if !signalled { started.signal() } }
                do {
                    let client = try servers[index % 2].client()
                    let state = "busy/\(index)"
                    var cycle = 0
                    while cycle < 10_000 && (cycle == 0 || !finished.load(ordering: .acquiring)) {
                        cycle += 1
                        let id = "c\(index)-\(cycle)"
                        let body = RekeyTests.body(state, serial: cycle)
                        for (method, target, payload) in [
                            ("LOCK", "/state/\(state)", lockJSON(id)), ("POST", "/state/\(state)?ID=\(id)", body),
                            ("UNLOCK", "/state/\(state)", lockJSON(id)), ("GET", "/state/bulk/\(cycle % 200 + 1)", ""),
                        ] {
                            let reply = try client.request(method, target, body: payload)
                            if reply.status != 200 {
                                failures.withLock { $0.append("\(method) \(target) \(reply.status)") }
                            }
                        }
                        written.withLock { $0[state, default: []].append(body) }
                        if !signalled {
                            signalled = true
                            started.signal()
                        }
                    }
                } catch {
                    failures.withLock { $0.append("client \(index): \(error)") }
                }
            }
        }
        // Every client is under way before the rekey starts.
        for _ in 0..<clients { #expect(started.wait(timeout: .now() + 60) == .success) }
        let result = try RekeyTests.rekey(.postgres, url, keys: [RekeyTests.keyB, RekeyTests.keyA], batch: 10)
        finished.store(true, ordering: .releasing)
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("200 versions re-encrypted with key 2026-12 (200 from old)"), "\(result.output)")
        #expect(failures.withLock { $0 } == [])

        // Nothing is left under A, and with only B every version of every state reads.
        #expect(try self.store(url).read { try $0.storedContents.tally(prefix: RekeyTests.headerA) }.matching == 0)
        bodies.merge(written.withLock { $0 }) { $1 }
        let server = try StatehouseUnderTest(databaseURL: url, configuration: RekeyTests.encryption([RekeyTests.keyB]))
        try RekeyTests.expectEveryVersion(bodies, on: server)
    }
}
