import Application
import Domain
import InMemoryStore
import Testing

/// Who may do what: read < write < admin, on name prefixes; checked before anything else.
@Suite struct AuthorizationTests {
    let store = InMemoryStore()
    let clock = FixedClock()
    let reader = Caller(Principal(name: "reader", grants: [Grant(prefix: "*", access: .read)]))
    let writer = Caller(
        Principal(name: "writer", grants: [Grant(prefix: "team", access: .write), Grant(prefix: "*", access: .read)]))
    let owner = Caller(Principal(name: "owner", grants: [Grant(prefix: "team", access: .admin)]))

    var read: ReadState {
        ReadState(store: self.store, cache: ContentCache(capacityBytes: 0), heavyWork: HeavyWork(limit: 1))
    }

    func kind(_ body: () throws -> Void) -> ApplicationError.Kind? {
        do {
            try body()
            return nil
        } catch {
            return (error as? ApplicationError)?.kind
        }
    }

    func seed() throws {
        _ = try WriteState(
            store: self.store, clock: self.clock, policy: .init(allowLineageChange: false), compressionLevel: 1
        )
        .execute(
            .init(
                name: try StateName("team/app"), body: Array(#"{"serial":1,"lineage":"L"}"#.utf8), lockID: nil,
                contentMD5: nil),
            as: self.owner)
    }

    @Test func readersReadButCannotWriteLockUnlockOrDelete() throws {
        try self.seed()
        let state = try StateName("team/app")
        #expect(
            self.kind {
                _ = try self.read.execute(
                    state, as: self.reader, encoding: .gzip)
            } == nil)
        #expect(
            self.kind {
                _ = try WriteState(
                    store: self.store, clock: self.clock, policy: .init(allowLineageChange: false), compressionLevel: 1
                )
                .execute(
                    .init(name: state, body: Array(#"{"serial":2,"lineage":"L"}"#.utf8), lockID: nil, contentMD5: nil),
                    as: self.reader)
            } == .forbidden)
        #expect(
            self.kind {
                _ = try LockState(store: self.store, clock: self.clock).execute(
                    state, body: Array(#"{"ID":"x"}"#.utf8), as: self.reader)
            } == .forbidden)
        #expect(
            self.kind {
                _ = try UnlockState(store: self.store, clock: self.clock).execute(state, body: [], as: self.reader)
            } == .forbidden
        )
        #expect(
            self.kind { try DeleteState(store: self.store, clock: self.clock).execute(state, as: self.reader) }
                == .forbidden)
    }

    @Test func writersLockAndUnlockButCannotDelete() throws {
        try self.seed()
        let state = try StateName("team/app")
        #expect(
            self.kind {
                _ = try LockState(store: self.store, clock: self.clock).execute(
                    state, body: Array(#"{"ID":"x"}"#.utf8), as: self.writer)
            } == nil)
        // Terraform's force-unlock (empty body) is open to writers: it is their only way out.
        #expect(
            self.kind {
                _ = try UnlockState(store: self.store, clock: self.clock).execute(state, body: [], as: self.writer)
            } == nil)
        #expect(
            self.kind { try DeleteState(store: self.store, clock: self.clock).execute(state, as: self.writer) }
                == .forbidden)
        #expect(
            self.kind { try DeleteState(store: self.store, clock: self.clock).execute(state, as: self.owner) } == nil)
    }

    @Test func aProtectedPrefixRefusesChangesWhateverTheGrantsButNotReadsOrForceUnlocks() throws {
        try self.seed()
        let state = try StateName("team/app")
        let bound = Caller(
            self.owner.principal.protected(by: [ProtectedPrefix(prefix: "team", allowed: [.principal("ci")])]))
        let write = WriteState(
            store: self.store, clock: self.clock, policy: .init(allowLineageChange: false), compressionLevel: 1)
        #expect(
            self.kind {
                _ = try write.execute(
                    .init(name: state, body: Array(#"{"serial":2,"lineage":"L"}"#.utf8), lockID: nil, contentMD5: nil),
                    as: bound)
            } == .forbidden)
        #expect(
            self.kind {
                _ = try LockState(store: self.store, clock: self.clock).execute(
                    state, body: Array(#"{"ID":"x"}"#.utf8), as: bound)
            } == .forbidden)
        #expect(
            self.kind {
                _ = try RollbackState(store: self.store, clock: self.clock, compressionLevel: 1).execute(
                    state, to: 1, reason: nil, as: bound)
            } == .forbidden)
        #expect(
            self.kind { try DeleteState(store: self.store, clock: self.clock).execute(state, as: bound) } == .forbidden)
        #expect(self.kind { _ = try self.read.execute(state, as: bound, encoding: .gzip) } == nil)
        _ = try LockState(store: self.store, clock: self.clock).execute(
            state, body: Array(#"{"ID":"x"}"#.utf8), as: self.owner)
        #expect(
            self.kind {
                _ = try UnlockState(store: self.store, clock: self.clock).execute(state, body: [], as: bound)
            } == nil)
    }

    @Test func grantsStopAtTheirPrefix() throws {
        let elsewhere = try StateName("other/app")
        #expect(
            self.kind {
                _ = try LockState(store: self.store, clock: self.clock).execute(
                    elsewhere, body: Array(#"{"ID":"x"}"#.utf8), as: self.writer)
            } == .forbidden)
        #expect(
            self.kind {
                _ = try self.read.execute(
                    elsewhere, as: self.owner, encoding: .gzip)
            } == .forbidden)
    }

    @Test func forbiddenComesBeforeNotFoundSoNothingLeaks() throws {
        #expect(
            self.kind {
                _ = try self.read.execute(
                    try StateName("other/none"), as: self.owner, encoding: .gzip)
            }
                == .forbidden)
        #expect(
            self.kind {
                _ = try self.read.execute(
                    try StateName("team/none"), as: self.owner, encoding: .gzip)
            }
                == .notFound)
    }
}

struct FixedClock: WallClock {
    func now() -> Timestamp { Timestamp(microseconds: 1_795_000_000_000_000) }
}
