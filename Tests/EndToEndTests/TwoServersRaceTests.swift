import Application
import Dispatch
import Domain
import Foundation
import Gzip
import HTTPTestSupport
import PostgresStore
import Synchronization
import Testing

/// Two server processes on one database, many clients racing LOCK → POST → UNLOCK on one state.
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct TwoServersRaceTests {
    @Test func neverTwoHoldersNoLostWriteEveryVersionByteIdentical() throws {
        let first = try StatehouseUnderTest()
        let second = try StatehouseUnderTest(databaseURL: first.databaseURL)
        let clients = 20
        let cyclesEach = 15
        let holders = Atomic<Int>(0)
        let maxHolders = Atomic<Int>(0)
        let written = Mutex<[String: String]>([:])  // body → lock ID it was written under
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for index in 0..<clients {
            group.enter()
            let server = index % 2 == 0 ? first : second
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let client = try server.client()
                    var done = 0
                    var attempt = 0
                    while done < cyclesEach && attempt < 100_000 {
                        attempt += 1
                        let id = "client\(index)-\(attempt)"
                        let lock = try client.request("LOCK", "/state/race", body: lockJSON(id))
                        guard lock.status == 200 else {
                            if lock.status != 409 {
                                failures.withLock { $0.append("LOCK \(lock.status) \(lock.text)") }
                            }
                            continue
                        }
                        let inside = holders.add(1, ordering: .sequentiallyConsistent).newValue
                        _ = maxHolders.max(inside, ordering: .sequentiallyConsistent)
                        let current = try client.request("GET", "/state/race")
                        let serial = current.status == 200 ? Int(current.headers["X-Statehouse-Serial"] ?? "") ?? -1 : 0
                        let body =
                            "{\"version\":4,\"serial\":\(serial + 1),\"lineage\":\"race\",\"writer\":\"\(id)\"}\n"
                        let post = try client.request("POST", "/state/race?ID=\(id)", body: body)
                        if post.status == 200 {
                            written.withLock { $0[body] = id }
                            done += 1
                        } else {
                            failures.withLock { $0.append("POST \(post.status) \(post.text)") }
                        }
                        holders.subtract(1, ordering: .sequentiallyConsistent)
                        let unlock = try client.request("UNLOCK", "/state/race", body: lockJSON(id))
                        if unlock.status != 200 {
                            failures.withLock { $0.append("UNLOCK \(unlock.status) \(unlock.text)") }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("client \(index): \(error)") }
                }
            }
        }
        #expect(group.wait(timeout: .now() + 600) == .success)
        #expect(failures.withLock { $0 } == [])
        #expect(maxHolders.load(ordering: .sequentiallyConsistent) == 1)

        // Read every version straight from the database.
        let history = try Self.history(of: StateName("race"), in: first.databaseURL)
        let sent = written.withLock { $0 }
        #expect(history.count == clients * cyclesEach, "no write lost, none duplicated")
        #expect(history.map(\.0.serial) == (1...Int64(clients * cyclesEach)).map { $0 })
        #expect(
            history.allSatisfy { sent[String(decoding: $0.1, as: UTF8.self)] == $0.0.lockID },
            "byte-identical to what its writer sent")
    }

    /// Every version of `name` with its bytes, straight from the database at `url`.
    static func history(of name: StateName, in url: String) throws -> [(VersionRecord, [UInt8])] {
        let store = PostgresStore(
            configuration: .init(
                url: url, poolSize: 1, checkoutTimeout: .seconds(10), statementTimeout: .seconds(30)))
        return try store.transaction { transaction in
            guard let state = try transaction.states.stateForUpdate(named: name) else { return [] }
            return try transaction.catalog.versions(stateID: state.id).map {
                (
                    $0,
                    try Gzip.decompress(
                        try transaction.states.content(of: state.name, stateID: state.id, version: $0.number)!)
                )
            }
        }
    }
}
