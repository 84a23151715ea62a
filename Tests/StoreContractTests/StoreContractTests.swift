import Application
import Dispatch
import Domain
import Gzip
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The behaviour every store adapter must show, run against each of them.
@Suite struct StoreContractTests {
    @Test func postgresRunsWhenTheTestCommandProvidesIt() {
        if getenv("REQUIRE_POSTGRES") != nil {
            #expect(StoreKind.postgresURL != nil, "REQUIRE_POSTGRES is set but TEST_POSTGRES_URL is not")
        }
    }

    @Test(arguments: StoreKind.available)
    func aStateWithoutVersionsIsNotFoundEvenWhenLocked(kind: StoreKind) throws {
        let f = try Fixture(kind)
        expectError(.notFound) { _ = try f.read().execute(name("a"), as: admin, encoding: .gzip) }
        #expect(try f.lock().execute(name("a"), body: lockBody("L1"), as: admin) == .acquired)
        expectError(.notFound) { _ = try f.read().execute(name("a"), as: admin, encoding: .gzip) }
    }

    @Test(arguments: StoreKind.available)
    func theLockSummaryCountsLiveLocksAndFindsTheOldest(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let summary = { try f.store.read { try $0.catalog.lockSummary() } }
        #expect(try summary() == LockSummary(count: 0, oldestAcquiredAt: nil))
        let first = f.clock.now()
        _ = try f.lock().execute(name("a"), body: lockBody("L1"), as: admin)
        f.clock.advance(seconds: 60)
        _ = try f.lock().execute(name("b"), body: lockBody("L2"), as: admin)
        _ = try f.lock().execute(name("c"), body: lockBody("L3"), as: admin)
        #expect(try summary() == LockSummary(count: 3, oldestAcquiredAt: first))
        _ = try f.unlock().execute(name("a"), body: lockBody("L1"), as: admin)
        _ = try f.unlock().execute(name("c"), body: [], as: admin)
        #expect(
            try summary()
                == LockSummary(count: 1, oldestAcquiredAt: Timestamp(microseconds: first.microseconds + 60_000_000)))
    }

    @Test(arguments: StoreKind.available)
    func locksAreExclusiveAndReentrantForTheSameID(kind: StoreKind) throws {
        let f = try Fixture(kind)
        #expect(try f.lock().execute(name("a"), body: lockBody("L1"), as: admin) == .acquired)
        #expect(try f.lock().execute(name("a"), body: lockBody("L1"), as: admin) == .alreadyHeld)
        expectLocked(by: try LockInfo(json: lockBody("L1"))) {
            _ = try f.lock().execute(name("a"), body: lockBody("L2", who: "bob@ci"), as: admin)
        }
        // Another state is independent.
        #expect(try f.lock().execute(name("b"), body: lockBody("L2"), as: admin) == .acquired)
    }

    @Test(arguments: StoreKind.available)
    func unlockByIDByForceAndWhenNothingIsLocked(kind: StoreKind) throws {
        let f = try Fixture(kind)
        #expect(try f.unlock().execute(name("a"), body: lockBody("L1"), as: admin) == .notLocked)
        _ = try f.lock().execute(name("a"), body: lockBody("L1"), as: admin)
        expectLocked(by: try LockInfo(json: lockBody("L1"))) {
            _ = try f.unlock().execute(name("a"), body: lockBody("other"), as: admin)
        }
        #expect(
            try f.unlock().execute(name("a"), body: Array(#"{"ID":"L1","Who":""}"#.utf8), as: admin)
                == .released(holder: try LockInfo(json: lockBody("L1")), forced: false))
        #expect(try f.unlock().execute(name("a"), body: lockBody("L1"), as: admin) == .notLocked)
        _ = try f.lock().execute(name("a"), body: lockBody("L3"), as: admin)
        #expect(
            try f.unlock().execute(name("a"), body: [], as: admin)
                == .released(holder: try LockInfo(json: lockBody("L3")), forced: true))
        #expect(try f.lock().execute(name("a"), body: lockBody("L4"), as: admin) == .acquired)
    }

    @Test(arguments: StoreKind.available)
    func writesAreFencedByTheLock(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let write = f.write()
        _ = try f.lock().execute(name("s"), body: lockBody("L1"), as: admin)
        let holder = try LockInfo(json: lockBody("L1"))
        expectLocked(by: holder) {
            _ = try write.execute(
                .init(name: name("s"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        }
        expectLocked(by: holder) {
            _ = try write.execute(
                .init(name: name("s"), body: stateBody(serial: 1), lockID: "L2", contentMD5: nil), as: admin)
        }
        guard
            case .stored(let version) = try write.execute(
                .init(name: name("s"), body: stateBody(serial: 1), lockID: "L1", contentMD5: nil), as: admin)
        else {
            Issue.record("not stored")
            return
        }
        #expect(version.number == 1)
        #expect(version.lockID == "L1")
        _ = try f.unlock().execute(name("s"), body: [], as: admin)
        // The writer still thinks it holds L1, but it was force-unlocked.
        expectError(.conflict) {
            _ = try write.execute(
                .init(name: name("s"), body: stateBody(serial: 2), lockID: "L1", contentMD5: nil), as: admin)
        }
        // Without locking (terraform -lock=false) a write passes when nothing is locked.
        #expect(
            try write.execute(
                .init(name: name("s"), body: stateBody(serial: 2), lockID: nil, contentMD5: nil), as: admin
            )
            .isStored)
    }

    @Test(arguments: StoreKind.available)
    func aReplayOfTheLatestVersionStoresNothing(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let command = WriteState.Command(name: name("s"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil)
        guard case .stored(let first) = try f.write().execute(command, as: admin) else {
            Issue.record("not stored")
            return
        }
        #expect(try f.write().execute(command, as: admin) == .unchanged(first))
        #expect(try f.countAllVersions() == 1)
    }

    @Test(arguments: StoreKind.available)
    func serialAndLineageRules(kind: StoreKind) throws {
        let f = try Fixture(kind)
        func write(_ body: [UInt8], allow: Bool = false) throws -> WriteState.Outcome {
            try f.write(allowLineageChange: allow).execute(
                .init(name: name("s"), body: body, lockID: nil, contentMD5: nil), as: admin)
        }
        #expect(try write(stateBody(serial: 5)).isStored)
        expectError(.conflict) { _ = try write(stateBody(serial: 4)) }
        expectError(.conflict) { _ = try write(stateBody(serial: 5, padding: 1)) }
        expectError(.conflict) { _ = try write(stateBody(serial: 6, lineage: "other")) }
        #expect(try write(stateBody(serial: 6)).isStored)
        #expect(try write(stateBody(serial: 1, lineage: "other"), allow: true).isStored)
        #expect(try f.history(name("s")).map(\.0.serial) == [5, 6, 1])
    }

    @Test(arguments: StoreKind.available)
    func contentMD5MustMatchAndBodiesMustBeStates(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let body = stateBody(serial: 1)
        expectError(.invalidInput) {
            _ = try f.write().execute(
                .init(name: name("s"), body: body, lockID: nil, contentMD5: [UInt8](repeating: 0, count: 16)), as: admin
            )
        }
        #expect(
            try f.write().execute(
                .init(name: name("s"), body: body, lockID: nil, contentMD5: StateBlob.md5(body)), as: admin
            ).isStored)
        expectError(.invalidInput) {
            _ = try f.write().execute(
                .init(name: name("t"), body: Array("{}".utf8), lockID: nil, contentMD5: nil), as: admin)
        }
        expectError(.invalidInput) { _ = try f.lock().execute(name("t"), body: [], as: admin) }
        expectError(.invalidInput) { _ = try f.lock().execute(name("t"), body: Array("nope".utf8), as: admin) }
        expectError(.invalidInput) { _ = try f.unlock().execute(name("t"), body: Array("nope".utf8), as: admin) }
    }

    @Test(arguments: StoreKind.available)
    func versionsKeepEveryWriteWithItsMetadata(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let writer = Caller(Principal(name: "ci", grants: [Grant(prefix: "*", access: .write)]))
        var sent: [[UInt8]] = []
        for serial in 1...4 {
            f.clock.advance(seconds: 60)
            let body = stateBody(serial: Int64(serial), padding: serial * 10)
            sent.append(body)
            _ = try f.write().execute(
                .init(name: name("team/app"), body: body, lockID: nil, contentMD5: nil), as: writer)
        }
        let history = try f.history(name("team/app"))
        #expect(history.map(\.0.number) == [1, 2, 3, 4])
        #expect(history.map(\.1) == sent)
        #expect(history.map(\.0.sha256) == sent.map(StateBlob.sha256))
        #expect(history.map(\.0.md5) == sent.map(StateBlob.md5))
        #expect(history.map(\.0.size) == sent.map { Int64($0.count) })
        #expect(history.allSatisfy { $0.0.createdBy == "ci" && $0.0.lineage == "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a" })
        #expect(
            history.map(\.0.createdAt.microseconds) == (1...4).map { 1_795_000_000_000_000 + Int64($0) * 60_000_000 })
        let latest = try f.read().execute(name("team/app"), as: admin, encoding: .gzip)
        #expect(latest.version == history.last?.0)
        #expect(try Gzip.decompress(latest.body) == sent.last)
        #expect(try f.read().execute(name("team/app"), as: admin, encoding: .identity).body == sent.last)
    }

    @Test(arguments: StoreKind.available)
    func softDeleteHidesTheStateAndKeepsItsVersions(kind: StoreKind) throws {
        let f = try Fixture(kind)
        _ = try f.write().execute(
            .init(name: name("s"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        _ = try f.write().execute(
            .init(name: name("s"), body: stateBody(serial: 2), lockID: nil, contentMD5: nil), as: admin)
        _ = try f.lock().execute(name("s"), body: lockBody("L1"), as: admin)
        expectLocked(by: try LockInfo(json: lockBody("L1"))) { try f.delete().execute(name("s"), as: admin) }
        _ = try f.unlock().execute(name("s"), body: lockBody("L1"), as: admin)
        try f.delete().execute(name("s"), as: admin)
        expectError(.notFound) { _ = try f.read().execute(name("s"), as: admin, encoding: .gzip) }
        expectError(.notFound) { try f.delete().execute(name("s"), as: admin) }
        #expect(try f.countAllVersions() == 2)
        // The name is free again: a new state starts its own history.
        guard
            case .stored(let fresh) = try f.write().execute(
                .init(name: name("s"), body: stateBody(serial: 1, lineage: "new"), lockID: nil, contentMD5: nil),
                as: admin)
        else {
            Issue.record("not stored")
            return
        }
        #expect(fresh.number == 1)
        #expect(try f.countAllVersions() == 3)
    }

    @Test(arguments: StoreKind.available)
    func largeStatesRoundTrip(kind: StoreKind) throws {
        let f = try Fixture(kind)
        var generator = SystemRandomNumberGenerator()
        // 20 MB of JSON whose padding compresses poorly (random hex).
        let padding = (0..<20_000_000).map { _ in "0123456789abcdef".randomElement(using: &generator)! }
        let body = Array("{\"serial\":1,\"lineage\":\"L\",\"blob\":\"\(String(padding))\"}".utf8)
        #expect(
            try f.write().execute(.init(name: name("big"), body: body, lockID: nil, contentMD5: nil), as: admin)
                .isStored)
        let content = try f.read().execute(name("big"), as: admin, encoding: .identity)
        #expect(content.version.size == Int64(body.count))
        #expect(content.body == body)
    }

    @Test(arguments: StoreKind.available)
    func concurrentClientsNeverShareALockNorLoseAWrite(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let state = name("race")
        let clients = 16
        let cyclesEach = 8
        let holders = Atomic<Int>(0)
        let maxHolders = Atomic<Int>(0)
        let written = Mutex<[[UInt8]: String]>([:])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            let lock = f.lock()
            let unlock = f.unlock()
            let write = f.write()
            let read = f.read()
            DispatchQueue.global().async {
                defer { group.leave() }
                var done = 0
                var attempts = 0
                while done < cyclesEach && attempts < 10_000 {
                    attempts += 1
                    let id = "c\(client)-\(attempts)"
                    guard (try? lock.execute(state, body: lockBody(id), as: admin)) == .acquired else { continue }
                    let inside = holders.add(1, ordering: .sequentiallyConsistent).newValue
                    _ = maxHolders.max(inside, ordering: .sequentiallyConsistent)
                    do {
                        let serial = (try? read.execute(state, as: admin, encoding: .gzip).version.serial) ?? 0
                        let body = stateBody(serial: serial + 1, padding: client * 7 + done)
                        _ = try write.execute(.init(name: state, body: body, lockID: id, contentMD5: nil), as: admin)
                        written.withLock { $0[body] = id }
                        done += 1
                    } catch {
                        failures.withLock { $0.append("\(id): \(error)") }
                    }
                    holders.subtract(1, ordering: .sequentiallyConsistent)
                    _ = try? unlock.execute(state, body: lockBody(id), as: admin)
                }
            }
        }
        #expect(group.wait(timeout: .now() + 300) == .success)
        #expect(failures.withLock { $0 } == [])
        #expect(maxHolders.load(ordering: .sequentiallyConsistent) == 1)
        let history = try f.history(state)
        #expect(history.count == clients * cyclesEach)
        #expect(history.map(\.0.serial) == (1...Int64(clients * cyclesEach)).map { $0 })
        let sent = written.withLock { $0 }
        #expect(
            history.allSatisfy { sent[$0.1] == $0.0.lockID }, "every version is byte-identical to what its writer sent")
    }
}

extension StoreContractTests {
    /// Writers without locks (no lock_address configured, or a proxy retrying a POST that is
    /// still running) race on one state: each write is stored or refused, never a fault, and
    /// the history stays a clean sequence.
    @Test(arguments: StoreKind.available)
    func concurrentUnlockedWritesAreStoredOrRefusedNeverAFault(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let state = name("unlocked")
        let outcomes = Mutex<[String]>([])
        let group = DispatchGroup()
        for writer in 0..<6 {
            group.enter()
            let write = f.write()
            DispatchQueue.global().async {
                defer { group.leave() }
                for serial in 1...20 {
                    do {
                        let body = stateBody(serial: Int64(serial), padding: writer)
                        _ = try write.execute(.init(name: state, body: body, lockID: nil, contentMD5: nil), as: admin)
                        outcomes.withLock { $0.append("stored") }
                    } catch let error as ApplicationError where error.kind == .conflict {
                        outcomes.withLock { $0.append("conflict") }
                    } catch {
                        outcomes.withLock { $0.append("unexpected: \(error)") }
                    }
                }
            }
        }
        #expect(group.wait(timeout: .now() + 300) == .success)
        let all = outcomes.withLock { $0 }
        #expect(all.filter { $0.hasPrefix("unexpected") } == [])
        let history = try f.history(state)
        #expect(history.count == all.filter { $0 == "stored" }.count)
        #expect(history.map(\.0.number) == (1...Int64(history.count)).map { $0 })
        #expect(zip(history, history.dropFirst()).allSatisfy { $0.0.serial < $1.0.serial }, "serials only go up")
    }
}

extension WriteState.Outcome {
    var isStored: Bool {
        if case .stored = self { return true }
        return false
    }
}
