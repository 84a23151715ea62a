import Application
import Domain
import Testing

/// State writes the S3 way: fenced by the principal that holds the lock, and conditional on the
/// latest version (`If-None-Match: *`, `If-Match`), on every adapter.
@Suite struct S3WriteContractTests {
    let alice = Caller(Principal(name: "alice", grants: [Grant(prefix: "*", access: .write)]))
    let bob = Caller(Principal(name: "bob", grants: [Grant(prefix: "*", access: .write)]))

    func s3Write(
        _ f: Fixture, _ state: String, serial: Int64, precondition: WriteState.Precondition = .none, as caller: Caller
    ) throws -> WriteState.Outcome {
        try f.write().execute(
            .init(
                name: name(state), body: stateBody(serial: serial), fencing: .holderPrincipal,
                precondition: precondition, contentMD5: nil),
            as: caller)
    }

    @Test(arguments: StoreKind.available)
    func aLockPassesWritesOfThePrincipalThatTookIt(kind: StoreKind) throws {
        let f = try Fixture(kind)
        #expect(try f.lock().execute(name("infra/env:/dev/app"), body: lockBody("L1"), as: self.alice) == .acquired)
        guard case .stored(let version) = try self.s3Write(f, "infra/env:/dev/app", serial: 1, as: self.alice) else {
            Issue.record("not stored")
            return
        }
        #expect(version.lockID == "L1")
        let events = try ReadAudit(store: f.store).execute(AuditQuery(limit: 10), as: admin).events
        #expect(events.first { $0.action == .write }?.lockID == "L1")
        expectLocked(by: try LockInfo(json: lockBody("L1"))) {
            _ = try self.s3Write(f, "infra/env:/dev/app", serial: 2, as: self.bob)
        }
        // An http write naming no lock is refused too, and one naming it still passes.
        expectLocked(by: try LockInfo(json: lockBody("L1"))) {
            _ = try f.write().execute(
                .init(name: name("infra/env:/dev/app"), body: stateBody(serial: 2), lockID: nil, contentMD5: nil),
                as: self.alice)
        }
        _ = try f.unlock().execute(name("infra/env:/dev/app"), body: lockBody("L1"), as: self.alice)
        guard case .stored(let unlocked) = try self.s3Write(f, "infra/env:/dev/app", serial: 2, as: self.bob) else {
            Issue.record("not stored")
            return
        }
        #expect(unlocked.lockID == nil)
        #expect(unlocked.createdBy == "bob")
    }

    @Test(arguments: StoreKind.available)
    func ifNoneMatchStoresOnlyTheFirstVersion(kind: StoreKind) throws {
        let f = try Fixture(kind)
        // A lock alone makes no version: the state is still absent.
        _ = try f.lock().execute(name("a"), body: lockBody("L1"), as: self.alice)
        #expect(try self.s3Write(f, "a", serial: 1, precondition: .absent, as: self.alice).isStored)
        expectError(.preconditionFailed) {
            _ = try self.s3Write(f, "a", serial: 2, precondition: .absent, as: self.alice)
        }
        // Even a replay of the same bytes: the state exists.
        expectError(.preconditionFailed) {
            _ = try self.s3Write(f, "a", serial: 1, precondition: .absent, as: self.alice)
        }
        #expect(try f.countAllVersions() == 1)
    }

    @Test(arguments: StoreKind.available)
    func ifMatchStoresOnlyOverTheExpectedVersion(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let first = StateBlob.md5(stateBody(serial: 1))
        expectError(.preconditionFailed) {
            _ = try self.s3Write(f, "a", serial: 1, precondition: .matching(md5: first), as: self.alice)
        }
        // The refused write left no state behind.
        #expect(try f.store.read { try $0.catalog.state(named: name("a")) } == nil)
        #expect(try self.s3Write(f, "a", serial: 1, as: self.alice).isStored)
        #expect(try self.s3Write(f, "a", serial: 2, precondition: .matching(md5: first), as: self.alice).isStored)
        expectError(.preconditionFailed) {
            _ = try self.s3Write(f, "a", serial: 3, precondition: .matching(md5: first), as: self.alice)
        }
        let latest = try f.read().execute(name("a"), as: admin, encoding: .identity)
        #expect(latest.version.serial == 2)
    }
}
