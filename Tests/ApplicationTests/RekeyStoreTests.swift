import Application
import Domain
import InMemoryStore
import Synchronization
import Testing

/// `statehouse rekey`'s use case on the memory store: every version ends under the sealing key
/// and reads the same, in bounded batches, resumable, stopping at a version it cannot open.
@Suite struct RekeyStoreTests {
    let memory = InMemoryStore()
    let clock = SteppedClock()
    let root = Caller(Principal(name: "root", grants: [Grant(prefix: "*", access: .admin)]))
    let a = try! DataKey(id: "2026-06", bytes: Array(repeating: 1, count: 32))
    let b = try! DataKey(id: "2026-12", bytes: Array(repeating: 2, count: 32))

    /// The first bytes of everything sealed with `key`.
    func header(_ key: DataKey) -> [UInt8] { [0x53, 0x48, 0x45, 0x01, UInt8(key.id.utf8.count)] + Array(key.id.utf8) }

    /// Writes `versions` versions of each of `states` states through a store sealing with `keys`.
    func write(states: ClosedRange<Int>, versions: Int, keys: KeyRing) throws {
        let write = WriteState(
            store: EncryptingStore(wrapping: self.memory, keys: keys), clock: self.clock,
            policy: WritePolicy(allowLineageChange: false), compressionLevel: 1)
        for state in states {
            for serial in 1...versions {
                let body = #"{"version":4,"serial":\#(serial),"lineage":"l\#(state)","outputs":{},"resources":[]}"#
                _ = try write.execute(
                    .init(name: try StateName("team/s\(state)"), body: Array(body.utf8), lockID: nil, contentMD5: nil),
                    as: self.root)
            }
        }
    }

    /// Every version's gzip bytes as `keys` open them, by state name and number.
    func contents(_ keys: KeyRing) throws -> [String: [UInt8]] {
        try EncryptingStore(wrapping: self.memory, keys: keys).transaction { transaction in
            var found: [String: [UInt8]] = [:]
            for entry in try transaction.catalog.allStates() {
                for record in try transaction.catalog.versions(stateID: entry.state.id) {
                    found["\(entry.state.name) \(record.number)"] = try transaction.states.content(
                        of: entry.state.name, stateID: entry.state.id, version: record.number)
                }
            }
            return found
        }
    }

    /// Every version's stored bytes, by state key and number.
    func stored() throws -> [String: [UInt8]] {
        try self.memory.transaction { transaction in
            var found: [String: [UInt8]] = [:]
            for entry in try transaction.catalog.allStates() {
                for record in try transaction.catalog.versions(stateID: entry.state.id) {
                    found["\(entry.state.id) \(record.number)"] = try transaction.storedContents.content(
                        stateID: entry.state.id, number: record.number)
                }
            }
            return found
        }
    }

    func rekey(_ store: any UnitOfWork, keys: KeyRing, batchSize: Int = 64, batchBytes: Int64 = 32 << 20)
        -> RekeyStore
    {
        RekeyStore(
            store: store, keys: keys, clock: self.clock, caller: ApplyRetention.system, batchSize: batchSize,
            batchBytes: batchBytes)
    }

    @Test func plainVersionsAreSealedAndReadTheSame() throws {
        try self.write(states: 1...5, versions: 2, keys: .empty)
        let before = try self.contents(.empty)
        let ring = try KeyRing([self.a])
        let report = try self.rekey(self.memory, keys: ring).execute()
        #expect(report.plain == 10 && report.fromKeys.isEmpty && report.alreadySealed == 0)
        #expect(report.summary == "10 versions re-encrypted with key 2026-06 (10 unencrypted)")
        #expect(try self.stored().values.allSatisfy { $0.starts(with: self.header(self.a)) })
        #expect(try self.contents(ring) == before)
        let events = try self.memory.transaction { try $0.audit.events(AuditQuery(limit: 100)) }
        let event = try #require(events.last)
        #expect(event.action == .rekey && event.state == nil && event.user == "statehouse")
        #expect(event.detail == report.summary)
    }

    @Test func versionsUnderAnOlderKeyMoveToTheFirstInBatches() throws {
        try self.write(states: 1...3, versions: 3, keys: .empty)
        try self.write(states: 4...7, versions: 3, keys: try KeyRing([self.a]))
        let before = try self.contents(try KeyRing([self.a]))
        var progress: [RekeyStore.Progress] = []
        let report = try self.rekey(self.memory, keys: try KeyRing([self.b, self.a]), batchSize: 5).execute {
            progress.append($0)
        }
        #expect(report.fromKeys == ["2026-06": 12] && report.plain == 9)
        #expect(report.summary == "21 versions re-encrypted with key 2026-12 (12 from 2026-06, 9 unencrypted)")
        #expect(progress.map(\.versions) == [5, 5, 5, 5, 1] && progress.allSatisfy { $0.total == 21 })
        #expect(progress.reduce(0) { $0 + $1.bytes } == report.bytes && report.bytes > 0)
        // Without the old key every version still opens, byte for byte.
        #expect(try self.contents(try KeyRing([self.b])) == before)

        // Run again: nothing left, nothing touched.
        let sealed = try self.stored()
        progress = []
        let again = try self.rekey(self.memory, keys: try KeyRing([self.b])).execute { progress.append($0) }
        #expect(again.versions == 0 && again.alreadySealed == 21 && progress.isEmpty)
        #expect(try self.stored() == sealed)
    }

    @Test func versionsWrittenUnderAnotherKeyBehindTheRunAreReportedAsLeft() throws {
        try self.write(states: 1...4, versions: 1, keys: try KeyRing([self.a]))
        var batches = 0
        let report = try self.rekey(self.memory, keys: try KeyRing([self.b, self.a]), batchSize: 1).execute { _ in
            batches += 1
            // A server still sealing with A writes state 1 again once the run has passed it.
            if batches == 2 { try? self.write(states: 1...1, versions: 3, keys: try! KeyRing([self.a])) }
        }
        #expect(report.versions == 4 && report.left == 2)
        #expect(
            report.summary.hasSuffix(
                "2 versions written meanwhile are not under it yet: does every server have key 2026-12 first? Then run rekey again"
            ))
        let again = try self.rekey(self.memory, keys: try KeyRing([self.b, self.a])).execute()
        #expect(again.versions == 2 && again.left == 0)
    }

    @Test func largeVersionsMakeSmallerBatches() throws {
        try self.write(states: 1...4, versions: 1, keys: .empty)
        var progress: [Int] = []
        // Any version is larger than the byte budget: one a batch.
        let report = try self.rekey(self.memory, keys: try KeyRing([self.a]), batchBytes: 1).execute {
            progress.append($0.versions)
        }
        #expect(report.versions == 4 && progress == [1, 1, 1, 1])
    }

    @Test func anInterruptedRunLeavesWhatItDidAndTheNextFinishesTheRest() throws {
        try self.write(states: 1...10, versions: 1, keys: try KeyRing([self.a]))
        let before = try self.contents(try KeyRing([self.a]))
        let ring = try KeyRing([self.b, self.a])
        // The tally and two batches of 3 commit; the third batch fails.
        let failing = FailingStore(inner: self.memory, transactionsBeforeFailing: 3)
        let error = try #require(throws: ApplicationError.self) {
            try self.rekey(failing, keys: ring, batchSize: 3).execute()
        }
        #expect(error.kind == .unavailable)
        #expect(error.message == "rekey stopped after 6 versions: the store is not answering; try again shortly")
        let afterFirst = try self.stored()
        let done = afterFirst.filter { $0.value.starts(with: self.header(self.b)) }
        #expect(done.count == 6)

        let report = try self.rekey(self.memory, keys: ring, batchSize: 3).execute()
        #expect(report.versions == 4 && report.alreadySealed == 6)
        let afterSecond = try self.stored()
        #expect(afterSecond.values.allSatisfy { $0.starts(with: self.header(self.b)) })
        // What the first run did stayed byte for byte (a re-seal would draw a new nonce).
        for (position, bytes) in done { #expect(afterSecond[position] == bytes) }
        #expect(try self.contents(try KeyRing([self.b])) == before)
    }

    @Test func aVersionWhoseKeyIsMissingStopsTheRunNamingIt() throws {
        try self.write(states: 1...1, versions: 2, keys: try KeyRing([self.a]))
        let other = try DataKey(id: "2027-01", bytes: Array(repeating: 3, count: 32))
        let error = try #require(throws: ApplicationError.self) {
            try self.rekey(self.memory, keys: try KeyRing([other])).execute()
        }
        #expect(error.kind == .fault)
        #expect(
            error.message
                == "rekey stopped after 0 versions: version 1 of team/s1 is encrypted with key 2026-06, which is not "
                + "in the key ring ([encryption] keys)")
        #expect(try self.stored().values.allSatisfy { $0.starts(with: self.header(self.a)) })
        let events = try self.memory.transaction { try $0.audit.events(AuditQuery(limit: 100)) }
        #expect(events.last?.action == .rekey)
        #expect(
            events.last?.detail
                == "0 versions re-encrypted with key 2027-01; stopped: version 1 of team/s1 is encrypted with key "
                + "2026-06, which is not in the key ring ([encryption] keys)")
    }

    @Test func aChangedByteStopsTheRunNamingTheVersion() throws {
        try self.write(states: 1...1, versions: 2, keys: try KeyRing([self.a]))
        try self.memory.transaction { transaction in
            let stateID = try #require(try transaction.catalog.allStates().first?.state.id)
            var bytes = try #require(try transaction.storedContents.content(stateID: stateID, number: 2))
            bytes[bytes.count - 1] ^= 1
            #expect(try transaction.storedContents.replace(stateID: stateID, number: 2, with: bytes))
        }
        let error = try #require(throws: ApplicationError.self) {
            try self.rekey(self.memory, keys: try KeyRing([self.b, self.a])).execute()
        }
        // Version 1 went first, in the same batch, which rolled back with it.
        #expect(
            error.message.hasPrefix(
                "rekey stopped after 0 versions: version 2 of team/s1 does not decrypt with key 2026-06"))
        #expect(try self.stored().values.allSatisfy { $0.starts(with: self.header(self.a)) })
    }

    @Test func withoutAKeyThereIsNothingToEncryptWith() throws {
        try self.write(states: 1...1, versions: 1, keys: .empty)
        let error = try #require(throws: ApplicationError.self) { try self.rekey(self.memory, keys: .empty).execute() }
        #expect(error.kind == .invalidInput && error.message.contains("nothing to encrypt with"))
        #expect(try self.memory.transaction { try $0.audit.events(AuditQuery(limit: 100)) }.map(\.action) == [.write])
    }
}

/// A store whose transactions fail once `transactionsBeforeFailing` have run.
final class FailingStore: UnitOfWork {
    let inner: any UnitOfWork
    private let remaining: Mutex<Int>

    init(inner: any UnitOfWork, transactionsBeforeFailing: Int) {
        self.inner = inner
        self.remaining = Mutex(transactionsBeforeFailing)
    }

    func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        let allowed = self.remaining.withLock { remaining in
            remaining -= 1
            return remaining >= 0
        }
        guard allowed else { throw StoreError(.unavailable, "connection lost") }
        return try self.inner.transaction(work)
    }

    func ping() throws(StoreError) {}
}
