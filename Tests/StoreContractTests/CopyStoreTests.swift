import Application
import Domain
import Gzip
import Testing

/// `migrate-store`'s copy between every pair of adapters: all states (deleted ones too), every
/// version with its metadata, locks, and the bytes.
@Suite struct CopyStoreTests {
    static var pairs: [(StoreKind, StoreKind)] {
        StoreKind.available.flatMap { from in StoreKind.available.map { (from, $0) } }
    }

    /// Fills `f` with a realistic mix and returns what a copy must reproduce.
    func populate(_ f: Fixture) throws {
        for serial in 1...3 {
            f.clock.advance(seconds: 30)
            _ = try f.write().execute(
                .init(
                    name: name("team/app"), body: stateBody(serial: Int64(serial), padding: serial), lockID: nil,
                    contentMD5: nil),
                as: admin)
        }
        _ = try PurgeVersion(store: f.store, clock: f.clock, cache: ContentCache(capacityBytes: 0)).execute(
            name("team/app"), version: 1, reason: "leaked", as: admin)
        _ = try RollbackState(store: f.store, clock: f.clock, compressionLevel: 1).execute(
            name("team/app"), to: 2, reason: "undo", as: admin)
        _ = try f.lock().execute(name("team/app"), body: lockBody("held"), as: admin)
        var generator = SystemRandomNumberGenerator()
        let big = (0..<2_000_000).map { _ in "0123456789abcdef".randomElement(using: &generator)! }
        _ = try f.write().execute(
            .init(
                // An S3 workspace's name: ':' in a backup's directory names.
                name: name("infra/env:/dev/big"),
                body: Array("{\"serial\":1,\"lineage\":\"B\",\"x\":\"\(String(big))\"}".utf8),
                lockID: nil, contentMD5: nil),
            as: admin)
        _ = try f.write().execute(
            .init(name: name("gone"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        try f.delete().execute(name("gone"), as: admin)
        _ = try f.write().execute(
            .init(name: name("gone"), body: stateBody(serial: 1, lineage: "again"), lockID: nil, contentMD5: nil),
            as: admin)
        _ = try f.lock().execute(name("lock-only"), body: lockBody("early"), as: admin)
        let tokens = CreateToken(store: f.store, clock: f.clock, policy: .standard)
        _ = try tokens.execute(name: "ci", grants: [Grant(prefix: "team", access: .write)], expiresIn: nil, as: admin)
        let revoked = try tokens.execute(
            name: "old", grants: [Grant(prefix: "*", access: .read)], expiresIn: nil, as: admin)
        _ = try RevokeToken(store: f.store, clock: f.clock).execute(id: revoked.token.id, as: admin)
    }

    /// Everything about every state, with keys (which each store assigns itself) left out.
    func snapshot(_ f: Fixture) throws -> [String] {
        try f.store.read { transaction in
            try transaction.catalog.allStates().map { entry in
                let versions = try transaction.catalog.versions(stateID: entry.state.id).map { record in
                    guard
                        let gzip = try transaction.states.content(
                            of: entry.state.name, stateID: entry.state.id, version: record.number)
                    else {
                        return "\(record) purged"
                    }
                    return "\(record) sha=\(StateBlob.sha256(try Gzip.decompress(gzip)) == record.sha256)"
                }
                return
                    "\(entry.state.name) created=\(entry.state.createdAt) lock=\(String(describing: entry.state.lock)) "
                    + "deleted=\(String(describing: entry.deletedAt)) by=\(String(describing: entry.deletedBy)) "
                    + "latest=\(String(describing: entry.state.latest)) versions=\(versions)"
            }
        }
    }

    @Test(arguments: pairs)
    func copiesEveryStateVersionAndLockExactly(from: StoreKind, to: StoreKind) throws {
        let source = try Fixture(from)
        try self.populate(source)
        let destination = try Fixture(to)
        var lines: [String] = []
        let report = try CopyStore(from: source.store, to: destination.store).execute { lines.append($0) }
        #expect(report.states == 5)
        #expect(report.versions == 7)
        let events = { (f: Fixture) in
            try ReadAudit(store: f.store).execute(AuditQuery(limit: 1000), as: admin).events.map { $0.withID(0) }
        }
        #expect(report.auditEvents == (try events(source).count))
        #expect(lines.count == 8)
        #expect(lines.dropLast().last == "API tokens: 1")
        #expect(report.tokens == 1)
        let tokens = { (f: Fixture) in try ListTokens(store: f.store).execute(as: admin) }
        #expect(try tokens(destination) == tokens(source))
        #expect(try tokens(destination).map(\.name) == ["ci"])
        #expect(lines.last == "read back: every state, version and checksum matches the source")
        #expect(try self.snapshot(destination) == self.snapshot(source))
        #expect(try events(destination) == events(source))
        // The copy is a working store: reads, the held lock and the next write behave the same.
        #expect(
            try destination.read().execute(name("team/app"), as: admin, encoding: .identity).body
                == stateBody(serial: 4, padding: 2), "the rollback wrote version 2's content as serial 4")
        expectLocked(by: try LockInfo(json: lockBody("held"))) {
            _ = try destination.lock().execute(name("team/app"), body: lockBody("other"), as: admin)
        }
        guard
            case .stored(let next) = try destination.write().execute(
                .init(name: name("team/app"), body: stateBody(serial: 5), lockID: "held", contentMD5: nil), as: admin)
        else {
            Issue.record("not stored")
            return
        }
        #expect(next.number == 5)
    }

    /// Writes made to the source while the copy runs are not half-copied: the copy is the store
    /// as it was when the copy began.
    @Test(arguments: StoreKind.available.filter { $0 != .memory })
    func copiesOneSnapshotOfASourceThatKeepsChanging(kind: StoreKind) throws {
        let source = try Fixture(kind)
        try self.populate(source)
        let before = try self.snapshot(source)
        let destination = try Fixture(.memory)
        var wrote = false
        _ = try CopyStore(from: source.store, to: destination.store).execute { _ in
            guard !wrote else { return }
            wrote = true
            // A writer, between two states of the copy: a new version of a state copied later
            // and a new state.
            _ = try? source.write().execute(
                .init(name: name("team/app"), body: stateBody(serial: 9), lockID: "held", contentMD5: nil), as: admin)
            _ = try? source.lock().execute(name("newcomer"), body: lockBody("n"), as: admin)
        }
        #expect(wrote)
        #expect(try self.snapshot(destination) == before)
        #expect(try self.snapshot(source) != before, "the source did change meanwhile")
    }

    /// A state's current version is whatever the source says, not simply its newest.
    @Test(arguments: StoreKind.available.filter { $0 != .memory })
    func keepsTheCurrentVersionAsRecorded(kind: StoreKind) throws {
        let source = try Fixture(kind)
        for serial in 1...3 {
            _ = try source.write().execute(
                .init(name: name("s"), body: stateBody(serial: Int64(serial)), lockID: nil, contentMD5: nil), as: admin)
        }
        try source.execute("UPDATE states SET latest_version = 1")
        let destination = try Fixture(kind == .sqlite ? .postgres : .sqlite)
        _ = try CopyStore(from: source.store, to: destination.store).execute()
        #expect(try destination.read().execute(name("s"), as: admin, encoding: .identity).body == stateBody(serial: 1))
        #expect(try self.snapshot(destination) == self.snapshot(source))
    }

    @Test(arguments: StoreKind.available)
    func aCopyThatFailsLeavesTheDestinationEmpty(kind: StoreKind) throws {
        let source = try Fixture(.sqlite)
        try self.populate(source)
        // Corrupt one stored version: the copy must fail its checksum and write nothing.
        try source.execute("UPDATE state_versions SET content = X'1f8b0800' WHERE number = 2")
        let destination = try Fixture(kind)
        expectError(.fault) { _ = try CopyStore(from: source.store, to: destination.store).execute() }
        #expect(try destination.store.read { try $0.catalog.allStates() }.isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func refusesADestinationThatIsNotEmpty(kind: StoreKind) throws {
        let source = try Fixture(.memory)
        try self.populate(source)
        let destination = try Fixture(kind)
        _ = try destination.lock().execute(name("already"), body: lockBody("x"), as: admin)
        expectError(.conflict) { _ = try CopyStore(from: source.store, to: destination.store).execute() }
    }
}
