import Application
import Dispatch
import Domain
import Foundation
import Gzip
import HTTPTestSupport
import PostgresStore
import Synchronization
import Testing

/// Two server processes on one database; S3 clients (the lock file, as Terraform's s3 backend
/// uses it) and http clients (LOCK → POST → UNLOCK) racing on one state.
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct TwoServersS3RaceTests {
    /// Cycles each client completes; `S3_RACE_CYCLES` for longer runs.
    static let cyclesEach = Int(ProcessInfo.processInfo.environment["S3_RACE_CYCLES"] ?? "") ?? 8

    @Test func theLockFileAndTheHTTPLockNeverLetTwoHoldersIn() throws {
        let first = try StatehouseUnderTest()
        let second = try StatehouseUnderTest(databaseURL: first.databaseURL)
        let key = try S3Key(on: first, name: "race", grants: ["infra/": "write"])
        let s3Clients = 20
        let httpClients = 2
        let holders = Atomic<Int>(0)
        let maxHolders = Atomic<Int>(0)
        let written = Mutex<[String: String]>([:])  // body → the lock ID it was written under
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()

        /// Takes the lock, writes the next serial, releases it; `true` when the write is acknowledged.
        @Sendable func cycle(
            _ id: String, lock: () throws -> Bool, read: () throws -> TestClient.Reply,
            write: ([UInt8]) throws -> TestClient.Reply, verify: () throws -> Void, unlock: () throws -> Void
        ) throws -> Bool {
            guard try lock() else { return false }
            let inside = holders.add(1, ordering: .sequentiallyConsistent).newValue
            _ = maxHolders.max(inside, ordering: .sequentiallyConsistent)
            let current = try read()
            let serial = current.status == 200 ? Int(serialIn(current.body)) : 0
            let body = Array(
                "{\"version\":4,\"serial\":\(serial + 1),\"lineage\":\"race\",\"writer\":\"\(id)\"}\n".utf8)
            let reply = try write(body)
            if reply.status == 200 {
                written.withLock { $0[String(decoding: body, as: UTF8.self)] = id }
            } else {
                failures.withLock { $0.append("write \(id): \(reply.status) \(reply.text)") }
            }
            try verify()
            holders.subtract(1, ordering: .sequentiallyConsistent)
            try unlock()
            return reply.status == 200
        }

        for index in 0..<(s3Clients + httpClients) {
            group.enter()
            let server = index % 2 == 0 ? first : second
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    var done = 0
                    var attempt = 0
                    if index < s3Clients {
                        let s3 = try S3Client(port: server.port, key: key)
                        while done < Self.cyclesEach && attempt < 100_000 {
                            attempt += 1
                            let id = "s3-\(index)-\(attempt)"
                            let info = Array(lockJSON(id).utf8)
                            let acknowledged = try cycle(
                                id,
                                lock: {
                                    let lock = try s3.request(
                                        "PUT", "/s3/infra/race.tfstate.tflock", body: info,
                                        headers: [("If-None-Match", "*")])
                                    if lock.status != 200 && lock.status != 412 {
                                        failures.withLock { $0.append("PUT lock \(lock.status) \(lock.text)") }
                                    }
                                    return lock.status == 200
                                },
                                read: { try s3.request("GET", "/s3/infra/race.tfstate") },
                                write: { try s3.request("PUT", "/s3/infra/race.tfstate", body: $0) },
                                verify: {
                                    let mine = try s3.request("GET", "/s3/infra/race.tfstate.tflock")
                                    if mine.body != info {
                                        failures.withLock { $0.append("GET lock \(mine.status) \(mine.text)") }
                                    }
                                },
                                unlock: {
                                    let unlock = try s3.request("DELETE", "/s3/infra/race.tfstate.tflock")
                                    if unlock.status != 204 {
                                        failures.withLock { $0.append("DELETE lock \(unlock.status) \(unlock.text)") }
                                    }
                                })
                            if acknowledged { done += 1 }
                        }
                    } else {
                        let client = try server.client()
                        while done < Self.cyclesEach && attempt < 100_000 {
                            attempt += 1
                            let id = "http-\(index)-\(attempt)"
                            let acknowledged = try cycle(
                                id,
                                lock: {
                                    let lock = try client.request(
                                        "LOCK", "/state/infra/race.tfstate", body: lockJSON(id))
                                    if lock.status != 200 && lock.status != 409 {
                                        failures.withLock { $0.append("LOCK \(lock.status) \(lock.text)") }
                                    }
                                    return lock.status == 200
                                },
                                read: { try client.request("GET", "/state/infra/race.tfstate") },
                                write: {
                                    try client.request(
                                        "POST", "/state/infra/race.tfstate?ID=\(id)",
                                        body: String(decoding: $0, as: UTF8.self))
                                },
                                verify: {},
                                unlock: {
                                    let unlock = try client.request(
                                        "UNLOCK", "/state/infra/race.tfstate", body: lockJSON(id))
                                    if unlock.status != 200 {
                                        failures.withLock { $0.append("UNLOCK \(unlock.status) \(unlock.text)") }
                                    }
                                })
                            if acknowledged { done += 1 }
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

        // Every version, straight from the database.
        let history = try TwoServersRaceTests.history(of: StateName("infra/race.tfstate"), in: first.databaseURL)
        let sent = written.withLock { $0 }
        let total = (s3Clients + httpClients) * Self.cyclesEach
        #expect(sent.count == total)
        #expect(history.count == total, "no write lost, none duplicated")
        #expect(history.map(\.0.serial).elementsEqual(1...Int64(total)), "serials strictly increasing")
        #expect(
            history.allSatisfy { sent[String(decoding: $0.1, as: UTF8.self)] == $0.0.lockID },
            "byte-identical to what its writer sent, under its writer's lock")
    }
}

/// The `"serial"` of a small state document written by this test.
private func serialIn(_ body: [UInt8]) -> Int64 {
    guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return -1 }
    return (object["serial"] as? NSNumber)?.int64Value ?? -1
}
