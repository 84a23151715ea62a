import Application
import Domain
import Gzip
import Testing

/// Listing, history, repairs, audit and retention, on every store.
@Suite struct ManagementContractTests {
    let viewer = Caller(Principal(name: "viewer", grants: [Grant(prefix: "team", access: .read)]))
    let operatorCaller = Caller(
        Principal(name: "op", grants: [Grant(prefix: "*", access: .admin)]), address: "10.0.0.7",
        requestID: "req-42")

    func write(_ f: Fixture, _ state: String, serial: Int64, lockID: String? = nil, body: [UInt8]? = nil) throws {
        _ = try f.write().execute(
            .init(name: name(state), body: body ?? stateBody(serial: serial), lockID: lockID, contentMD5: nil),
            as: admin)
    }

    func listing(_ f: Fixture) -> ListStates { ListStates(store: f.store) }
    func rollback(_ f: Fixture) -> RollbackState { RollbackState(store: f.store, clock: f.clock, compressionLevel: 1) }
    func diff(_ f: Fixture) -> DiffVersions { DiffVersions(store: f.store, maxVersionBytes: 1 << 20) }
    func audit(_ f: Fixture, _ query: AuditQuery = AuditQuery(limit: 1000)) throws -> [AuditEvent] {
        try ReadAudit(store: f.store).execute(query, as: admin).events
    }

    @Test(arguments: StoreKind.available)
    func statesArePagedByNameFilteredByPrefixAndAccess(kind: StoreKind) throws {
        let f = try Fixture(kind)
        for state in ["b", "team/z", "a", "team/x", "team-other", "team/y"] { try self.write(f, state, serial: 1) }
        var names: [String] = []
        var query = StateQuery(limit: 2)
        var pages = 0
        repeat {
            let page = try self.listing(f).execute(query, as: admin)
            names += page.entries.map(\.state.name.rawValue)
            query.after = page.next
            pages += 1
        } while query.after != nil && pages < 10
        #expect(names == ["a", "b", "team-other", "team/x", "team/y", "team/z"])

        let prefixed = try self.listing(f).execute(StateQuery(prefix: "team/", limit: 10), as: admin)
        #expect(prefixed.entries.map(\.state.name.rawValue) == ["team/x", "team/y", "team/z"])
        #expect(prefixed.next == nil)

        // The viewer reads only team/…: a full page of 2 is still filled past the others.
        let visible = try self.listing(f).execute(StateQuery(limit: 2), as: self.viewer)
        #expect(visible.entries.map(\.state.name.rawValue) == ["team/x", "team/y"])
        let rest = try self.listing(f).execute(StateQuery(after: visible.next, limit: 2), as: self.viewer)
        #expect(rest.entries.map(\.state.name.rawValue) == ["team/z"])
        #expect(rest.next == nil)
    }

    @Test(arguments: StoreKind.available)
    func statesAreFoundByTextInTheirNameInEitherCase(kind: StoreKind) throws {
        let f = try Fixture(kind)
        for state in ["team/app_1", "team/appX1", "ops/App-prod", "team/web-prod", "team/old-prod", "team/other"] {
            try self.write(f, state, serial: 1)
        }
        _ = try f.delete().execute(name("team/old-prod"), as: admin)
        func names(_ query: StateQuery, _ caller: Caller = admin) throws -> [String] {
            var query = query
            var names: [String] = []
            var pages = 0
            repeat {
                let page = try self.listing(f).execute(query, as: caller)
                names += page.entries.map(\.state.name.rawValue)
                query.after = page.next
                pages += 1
            } while query.after != nil && pages < 10
            return names
        }
        #expect(try names(StateQuery(contains: "APP", limit: 1)) == ["ops/App-prod", "team/appX1", "team/app_1"])
        // `_` and `%` are plain text, not LIKE wildcards.
        #expect(try names(StateQuery(contains: "p_1", limit: 10)) == ["team/app_1"])
        #expect(try names(StateQuery(contains: "%", limit: 10)).isEmpty)
        #expect(try names(StateQuery(contains: "Ä", limit: 10)).isEmpty)
        #expect(try names(StateQuery(prefix: "team/", contains: "prod", limit: 10)) == ["team/web-prod"])
        #expect(try names(StateQuery(contains: "prod", deleted: true, limit: 10)) == ["team/old-prod"])
        #expect(try names(StateQuery(contains: "app", limit: 10), self.viewer) == ["team/appX1", "team/app_1"])
        let longest = String(repeating: "a", count: StateQuery.maxContainsBytes)
        #expect(try names(StateQuery(contains: longest, limit: 10)).isEmpty)
        expectError(.invalidInput) {
            _ = try self.listing(f).execute(StateQuery(contains: longest + "a", limit: 10), as: admin)
        }
    }

    @Test(arguments: StoreKind.available)
    func detailsCarryTheMetadataReadAtWriteTime(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.write(f, "team/app", serial: 1)
        try self.write(f, "team/app", serial: 2, body: terraformState(serial: 2, resources: 3))
        let details = try ShowState(store: f.store).execute(name("team/app"), as: self.viewer)
        #expect(details.versionCount == 2)
        let latest = try #require(details.entry.state.latest)
        #expect(
            latest.metadata
                == StateMetadata(
                    terraformVersion: "1.15.5", resourceCount: 3, outputNames: ["endpoint", "password"],
                    encrypted: false))
        let first = try #require(
            try f.store.snapshot { try $0.catalog.version(stateID: details.entry.state.id, number: 1) })
        #expect(first.metadata.outputNames == ["note"])
        expectError(.forbidden) { _ = try ShowState(store: f.store).execute(name("other"), as: self.viewer) }
        expectError(.notFound) { _ = try ShowState(store: f.store).execute(name("team/none"), as: self.viewer) }
    }

    @Test(arguments: StoreKind.available)
    func locksAreListedOldestFirstAndFilteredByAge(kind: StoreKind) throws {
        let f = try Fixture(kind)
        _ = try f.lock().execute(name("team/old"), body: lockBody("L-old"), as: admin)
        f.clock.advance(seconds: 3600)
        _ = try f.lock().execute(name("team/new"), body: lockBody("L-new"), as: admin)
        _ = try f.lock().execute(name("hidden"), body: lockBody("L-hidden"), as: admin)
        f.clock.advance(seconds: 60)
        let locks = ListLocks(store: f.store, clock: f.clock)
        func names(_ olderThan: Int64?, _ caller: Caller) throws -> [String] {
            let page = try locks.execute(olderThan: olderThan, limit: 10, as: caller)
            #expect(page.next == nil)
            return page.states.map(\.name.rawValue)
        }
        #expect(try names(nil, admin) == ["team/old", "team/new", "hidden"])
        #expect(try names(nil, self.viewer) == ["team/old", "team/new"])
        #expect(try names(30 * 60 * 1_000_000, admin) == ["team/old"])
        #expect(try names(3660 * 1_000_000, admin) == ["team/old"], "held exactly that long")
        #expect(try names(3661 * 1_000_000, admin).isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func locksArePagedInTheOrderTheyWereTaken(kind: StoreKind) throws {
        let f = try Fixture(kind)
        // Two pairs taken in the same microsecond: the state's key orders each pair.
        for (index, state) in ["team/a", "team/b", "other", "team/c", "team/d"].enumerated() {
            if index % 2 == 1 { f.clock.advance(seconds: 1) }
            _ = try f.lock().execute(name(state), body: lockBody("L-\(state)"), as: admin)
        }
        let locks = ListLocks(store: f.store, clock: f.clock)
        for (caller, expected) in [
            (admin, ["team/a", "team/b", "other", "team/c", "team/d"]),
            (self.viewer, ["team/a", "team/b", "team/c", "team/d"]),
        ] {
            var seen: [String] = []
            var after: LockPosition? = nil
            var pages = 0
            repeat {
                let page = try locks.execute(olderThan: nil, after: after, limit: 2, as: caller)
                #expect(page.states.count <= 2)
                seen += page.states.map(\.name.rawValue)
                after = page.next
                pages += 1
            } while after != nil && pages < 10
            #expect(seen == expected)
        }
        let stale = try locks.execute(olderThan: 1_000_000, limit: 2, as: admin)
        #expect(stale.states.map(\.name.rawValue) == ["team/a", "team/b"])
        let rest = try locks.execute(olderThan: 1_000_000, after: stale.next, limit: 2, as: admin)
        #expect(rest.states.map(\.name.rawValue) == ["other"] && rest.next == nil)
    }

    @Test(arguments: StoreKind.available)
    func forceUnlockChecksTheExpectedLockAndIsAudited(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let unlock = ForceUnlock(store: f.store, clock: f.clock)
        _ = try f.lock().execute(name("app"), body: lockBody("L1", who: "ci@runner"), as: admin)
        expectError(.forbidden) {
            _ = try unlock.execute(name("app"), expectedID: nil, reason: nil, as: self.viewer)
        }
        expectLocked(by: try LockInfo(json: lockBody("L1", who: "ci@runner"))) {
            _ = try unlock.execute(name("app"), expectedID: "L0", reason: nil, as: self.operatorCaller)
        }
        let released = try unlock.execute(name("app"), expectedID: "L1", reason: "runner died", as: self.operatorCaller)
        #expect(released?.info.id == "L1")
        #expect(try unlock.execute(name("app"), expectedID: nil, reason: nil, as: self.operatorCaller) == nil)
        let event = try #require(try self.audit(f).last)
        #expect(event.action == .forceUnlock)
        #expect(event.lockID == "L1")
        #expect(event.reason == "runner died")
        #expect(event.user == "op")
        #expect(event.address == "10.0.0.7")
        #expect(event.requestID == "req-42")
        #expect(event.detail?.contains("ci@runner") == true)
    }

    @Test(arguments: StoreKind.available)
    func versionsArePagedNewestFirst(kind: StoreKind) throws {
        let f = try Fixture(kind)
        for serial in 1...5 { try self.write(f, "app", serial: Int64(serial)) }
        let versions = ListVersions(store: f.store)
        let first = try versions.execute(name("app"), before: nil, limit: 2, as: admin)
        #expect(first.versions.map(\.number) == [5, 4])
        #expect(first.current == 5)
        let second = try versions.execute(name("app"), before: first.nextBefore, limit: 2, as: admin)
        #expect(second.versions.map(\.number) == [3, 2])
        let last = try versions.execute(name("app"), before: second.nextBefore, limit: 2, as: admin)
        #expect(last.versions.map(\.number) == [1])
        #expect(last.nextBefore == nil)
    }

    @Test(arguments: StoreKind.available)
    func purgingKeepsATombstoneAndNeverTouchesTheCurrentVersion(kind: StoreKind) throws {
        let f = try Fixture(kind)
        for serial in 1...3 { try self.write(f, "app", serial: Int64(serial)) }
        let purge = PurgeVersion(store: f.store, clock: f.clock, cache: ContentCache(capacityBytes: 1 << 20))
        expectError(.forbidden) {
            _ = try purge.execute(
                name("app"), version: 2, reason: nil,
                as: Caller(
                    Principal(name: "ci", grants: [Grant(prefix: "*", access: .write)])))
        }
        expectError(.conflict) { _ = try purge.execute(name("app"), version: 3, reason: nil, as: admin) }
        expectError(.notFound) { _ = try purge.execute(name("app"), version: 9, reason: nil, as: admin) }
        let tombstone = try purge.execute(name("app"), version: 2, reason: "leaked key", as: self.operatorCaller)
        #expect(tombstone.purge == Purge(at: f.clock.now(), by: "op", reason: "leaked key"))
        #expect(try purge.execute(name("app"), version: 2, reason: "again", as: admin) == tombstone)
        expectError(.gone) { _ = try f.read().execute(name("app"), version: 2, as: admin, encoding: .identity) }
        #expect(
            try f.read().execute(name("app"), version: 1, as: admin, encoding: .identity).body == stateBody(serial: 1))
        let listed = try ListVersions(store: f.store).execute(name("app"), before: nil, limit: 10, as: admin)
        #expect(listed.versions.map(\.purge?.reason) == [nil, "leaked key", nil])
        #expect(try self.audit(f).filter { $0.action == .purgeVersion }.map(\.version) == [2])
        expectError(.gone) { _ = try self.diff(f).execute(name("app"), from: 2, to: 3, as: admin) }
    }

    @Test(arguments: StoreKind.available)
    func rollbackWritesTheOldContentAboveTheCurrentSerial(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.write(f, "app", serial: 1, body: terraformState(serial: 1, resources: 1))
        try self.write(f, "app", serial: 2, body: terraformState(serial: 2, resources: 2))
        try self.write(f, "app", serial: 7, body: terraformState(serial: 7, resources: 5))
        let written = try self.rollback(f).execute(name("app"), to: 1, reason: "bad apply", as: self.operatorCaller)
        #expect(written.number == 4)
        #expect(written.serial == 8)
        #expect(written.rollbackOf == 1)
        #expect(written.metadata.resourceCount == 1)
        let body = try f.read().execute(name("app"), as: admin, encoding: .identity).body
        #expect(body == terraformState(serial: 8, resources: 1), "only the serial differs from version 1")
        // A client continues from there.
        try self.write(f, "app", serial: 9, body: terraformState(serial: 9, resources: 1))
        let event = try #require(try self.audit(f).last { $0.action == .rollback })
        #expect(event.version == 4)
        #expect(event.reason == "bad apply")

        _ = try f.lock().execute(name("app"), body: lockBody("busy"), as: admin)
        expectLocked(by: try LockInfo(json: lockBody("busy"))) {
            _ = try self.rollback(f).execute(name("app"), to: 2, reason: nil, as: admin)
        }
        expectError(.forbidden) {
            _ = try self.rollback(f).execute(name("team/x"), to: 1, reason: nil, as: self.viewer)
        }
    }

    @Test(arguments: StoreKind.available)
    func encryptedStatesCannotBeRolledBackOrDiffed(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.write(f, "tofu", serial: 1, body: encryptedState(serial: 1))
        try self.write(f, "tofu", serial: 2, body: encryptedState(serial: 2))
        let details = try ShowState(store: f.store).execute(name("tofu"), as: admin)
        #expect(details.entry.state.latest?.metadata.encrypted == true)
        expectError(.unprocessable) { _ = try self.rollback(f).execute(name("tofu"), to: 1, reason: nil, as: admin) }
        expectError(.unprocessable) {
            _ = try self.diff(f).execute(name("tofu"), from: 1, to: 2, as: admin)
        }
    }

    @Test(arguments: StoreKind.available)
    func diffComparesTwoVersionsAndDefaultsToTheLastChange(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.write(f, "app", serial: 1, body: terraformState(serial: 1, resources: 1))
        try self.write(f, "app", serial: 2, body: terraformState(serial: 2, resources: 3))
        let result = try self.diff(f).execute(name("app"), from: nil, to: nil, as: admin)
        #expect(result.from.number == 1)
        #expect(result.to.number == 2)
        #expect(result.diff.addedResources.contains("terraform_data.item2"))
        #expect(!String(describing: result.diff).contains("s3cr3t"), "sensitive output values never appear")
        expectError(.notFound) { _ = try self.diff(f).execute(name("app"), from: 5, to: 2, as: admin) }
    }

    @Test(arguments: StoreKind.available)
    func versionsOverTheDiffLimitAreNotCompared(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let (small, large) = (terraformState(serial: 1, resources: 1), terraformState(serial: 2, resources: 3))
        try self.write(f, "app", serial: 1, body: small)
        try self.write(f, "app", serial: 2, body: large)
        do {
            _ = try DiffVersions(store: f.store, maxVersionBytes: Int64(large.count - 1)).execute(
                name("app"), from: 1, to: 2, as: admin)
            Issue.record("a version over the limit was diffed")
        } catch {
            #expect(error.kind == .unprocessable)
            #expect(
                error.message
                    == "version 2 of app is \(large.count) bytes, over the \(large.count - 1) bytes this server diffs "
                    + "(state.max_diff_bytes); download both versions and compare them locally")
        }
        let result = try DiffVersions(store: f.store, maxVersionBytes: Int64(large.count)).execute(
            name("app"), from: 1, to: 2, as: admin)
        #expect(result.diff.addedResources.count == 2)
    }

    @Test(arguments: StoreKind.available)
    func restoreBringsBackTheLatestDeletedStateUnlessTheNameIsTaken(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let restore = RestoreState(store: f.store, clock: f.clock)
        try self.write(f, "app", serial: 1)
        try f.delete().execute(name("app"), as: admin)
        try self.write(f, "app", serial: 1, body: stateBody(serial: 1, lineage: "second"))
        try f.delete().execute(name("app"), as: admin)
        let deleted = try self.listing(f).execute(StateQuery(deleted: true, limit: 10), as: admin).entries
        #expect(deleted.count == 2)
        #expect(deleted.allSatisfy { $0.deletedBy == "root" })
        expectError(.forbidden) { _ = try restore.execute(name("app"), id: nil, as: self.viewer) }
        let restored = try restore.execute(name("app"), id: nil, as: admin)
        #expect(restored.entry.state.latest?.lineage == "second")
        #expect(
            try f.read().execute(name("app"), as: admin, encoding: .identity).body
                == stateBody(serial: 1, lineage: "second"))
        expectError(.conflict) { _ = try restore.execute(name("app"), id: nil, as: admin) }
        try f.delete().execute(name("app"), as: admin)
        let older = try #require(deleted.first { $0.state.latest?.lineage != "second" })
        #expect(try restore.execute(name("app"), id: older.state.id, as: admin).entry.state.id == older.state.id)
        expectError(.notFound) { _ = try restore.execute(name("never"), id: nil, as: admin) }
        #expect(try self.audit(f).filter { $0.action == .restore }.count == 2)
    }

    @Test(arguments: StoreKind.available)
    func everyChangeIsAuditedInItsOwnTransaction(kind: StoreKind) throws {
        let f = try Fixture(kind)
        _ = try f.lock().execute(name("app"), body: lockBody("L1"), as: self.operatorCaller)
        try self.write(f, "app", serial: 1, lockID: "L1")
        _ = try f.unlock().execute(name("app"), body: lockBody("L1"), as: admin)
        _ = try f.lock().execute(name("app"), body: lockBody("L2"), as: admin)
        _ = try f.unlock().execute(name("app"), body: [], as: admin)
        // Refused changes leave no trace.
        expectError(.conflict) { try self.write(f, "app", serial: 0) }
        _ = try f.lock().execute(name("app"), body: lockBody("L3"), as: admin)
        expectLocked(by: try LockInfo(json: lockBody("L3"))) {
            _ = try f.lock().execute(name("app"), body: lockBody("L4"), as: admin)
        }
        _ = try f.unlock().execute(name("app"), body: lockBody("L3"), as: admin)
        // A replayed write stores nothing and records nothing.
        try self.write(f, "app", serial: 1)
        try f.delete().execute(name("app"), as: admin)
        let events = try self.audit(f)
        #expect(
            events.map(\.action) == [.lock, .write, .unlock, .lock, .forceUnlock, .lock, .unlock, .delete])
        #expect(events.map(\.id) == events.map(\.id).sorted())
        #expect(events[0].user == "op")
        #expect(events[0].lockID == "L1")
        #expect(events[1].version == 1)
        #expect(events[1].lockID == "L1")

        let page = try ReadAudit(store: f.store).execute(AuditQuery(limit: 3), as: admin)
        #expect(page.events.count == 3)
        let next = try ReadAudit(store: f.store).execute(AuditQuery(after: page.nextAfter, limit: 100), as: admin)
        #expect(next.events.map(\.action) == [.lock, .forceUnlock, .lock, .unlock, .delete])
        #expect(next.nextAfter == nil)

        // Newest first, a page at a time, as the web UI reads it.
        var newest = AuditQuery(limit: 3)
        newest.newestFirst = true
        let latest = try ReadAudit(store: f.store).execute(newest, as: admin)
        #expect(latest.events.map(\.action) == [.delete, .unlock, .lock])
        newest.after = latest.nextAfter
        newest.limit = 100
        let older = try ReadAudit(store: f.store).execute(newest, as: admin)
        #expect(older.events.map(\.action) == [.forceUnlock, .lock, .unlock, .write, .lock])
        #expect(older.nextAfter == nil)
        newest.action = .lock
        newest.after = nil
        #expect(try self.audit(f, newest).map(\.lockID) == ["L3", "L2", "L1"])

        f.clock.advance(seconds: 10)
        _ = try f.lock().execute(name("team/x"), body: lockBody("T"), as: admin)
        let recent = try self.audit(f, AuditQuery(since: f.clock.now(), limit: 100))
        #expect(recent.map(\.state?.rawValue) == ["team/x"])
        #expect(try self.audit(f, AuditQuery(state: name("team/x"), limit: 100)).count == 1)
        let visible = try ReadAudit(store: f.store).execute(AuditQuery(limit: 100), as: self.viewer).events
        #expect(visible.map(\.state?.rawValue) == ["team/x"])
        expectError(.forbidden) {
            _ = try ReadAudit(store: f.store).execute(AuditQuery(state: name("app"), limit: 10), as: self.viewer)
        }
    }

    @Test(arguments: StoreKind.available)
    func auditEventsAreFilteredByUserAndActionWithTheOtherFilters(kind: StoreKind) throws {
        let f = try Fixture(kind)
        _ = try f.lock().execute(name("app"), body: lockBody("L1"), as: self.operatorCaller)
        _ = try f.unlock().execute(name("app"), body: [], as: admin)
        _ = try f.lock().execute(name("team/x"), body: lockBody("L2"), as: self.operatorCaller)
        f.clock.advance(seconds: 10)
        _ = try f.unlock().execute(name("team/x"), body: [], as: admin)
        _ = try f.lock().execute(name("team/x"), body: lockBody("L3"), as: self.operatorCaller)
        _ = try f.unlock().execute(name("team/x"), body: lockBody("L3"), as: self.operatorCaller)
        func found(_ query: AuditQuery, _ caller: Caller = admin) throws -> [String] {
            try ReadAudit(store: f.store).execute(query, as: caller).events.map {
                "\($0.user) \($0.action.rawValue) \($0.state?.rawValue ?? "-")"
            }
        }
        #expect(
            try found(AuditQuery(user: "op", limit: 100)) == [
                "op lock app", "op lock team/x", "op lock team/x", "op unlock team/x",
            ])
        #expect(
            try found(AuditQuery(action: .forceUnlock, limit: 100)) == [
                "root force-unlock app", "root force-unlock team/x",
            ])
        #expect(
            try found(AuditQuery(user: "op", action: .lock, limit: 100)) == [
                "op lock app", "op lock team/x", "op lock team/x",
            ])
        #expect(
            try found(AuditQuery(state: name("team/x"), user: "op", action: .lock, limit: 100)) == [
                "op lock team/x", "op lock team/x",
            ])
        #expect(
            try found(AuditQuery(user: "op", action: .lock, since: f.clock.now(), limit: 100)) == ["op lock team/x"])
        #expect(try found(AuditQuery(user: "OP", limit: 100)).isEmpty, "an exact name")
        #expect(
            try found(AuditQuery(user: "op", action: .lock, limit: 100), self.viewer) == [
                "op lock team/x", "op lock team/x",
            ])
        // Paged: each page holds only matching events and the next starts after the last.
        let first = try ReadAudit(store: f.store).execute(AuditQuery(user: "op", action: .lock, limit: 2), as: admin)
        #expect(first.events.count == 2)
        let rest = try ReadAudit(store: f.store).execute(
            AuditQuery(user: "op", action: .lock, after: first.nextAfter, limit: 2), as: admin)
        #expect(rest.events.map(\.lockID) == ["L3"] && rest.nextAfter == nil)
        expectError(.invalidInput) {
            _ = try ReadAudit(store: f.store).execute(
                AuditQuery(user: String(repeating: "u", count: AuditQuery.maxUserBytes + 1), limit: 1), as: admin)
        }
    }

    @Test(arguments: StoreKind.available)
    func retentionPrunesOldVersionsKeepsTheNewestAndExpiresDeletedStates(kind: StoreKind) throws {
        let f = try Fixture(kind)
        for serial in 1...6 {
            try self.write(f, "app", serial: Int64(serial))
            f.clock.advance(seconds: 86_400)
        }
        try self.write(f, "gone", serial: 1)
        try f.delete().execute(name("gone"), as: admin)
        try self.write(f, "fresh", serial: 1)
        // Versions 1…6 are 6…1 days old. Keep 3 days, at least 2 versions.
        let policy = RetentionPolicy(versionDays: 3, keepVersions: 2, deletedStateDays: 30)
        #expect(policy.expired([], current: nil, at: f.clock.now()).isEmpty)
        let sweep = ApplyRetention(store: f.store, clock: f.clock, policy: policy)
        #expect(try sweep.execute() == ApplyRetention.Report(versionsPruned: 3, statesExpired: 0))
        let kept = try ListVersions(store: f.store).execute(name("app"), before: nil, limit: 10, as: admin)
        #expect(kept.versions.map(\.number) == [6, 5, 4])
        #expect(try sweep.execute() == ApplyRetention.Report(versionsPruned: 0, statesExpired: 0))
        // The numbering goes on after pruning.
        try self.write(f, "app", serial: 7)
        #expect(try f.read().execute(name("app"), as: admin, encoding: .gzip).version.number == 7)

        f.clock.advance(seconds: 31 * 86_400)
        let report = try sweep.execute()
        #expect(report.statesExpired == 1)
        #expect(try self.listing(f).execute(StateQuery(deleted: true, limit: 10), as: admin).entries.isEmpty)
        let pruned = try self.audit(f).filter { $0.action == .pruneVersions || $0.action == .expireState }
        #expect(pruned.map(\.user) == Array(repeating: "statehouse", count: pruned.count))
        #expect(pruned.map(\.state?.rawValue).contains("gone"))
        // The current version of a long-idle state survives any policy.
        let strict = ApplyRetention(
            store: f.store, clock: f.clock,
            policy: RetentionPolicy(versionDays: 0, keepVersions: 0, deletedStateDays: 0))
        _ = try strict.execute()
        #expect(try f.read().execute(name("fresh"), as: admin, encoding: .gzip).version.number == 1)
        #expect(try f.read().execute(name("app"), as: admin, encoding: .gzip).version.number == 7)
    }
}

extension ManagementContractTests {
    @Test(arguments: StoreKind.available)
    func rollbackRefusesToOverflowTheSerial(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.write(f, "app", serial: 1)
        try self.write(f, "app", serial: .max)
        expectError(.conflict) { _ = try self.rollback(f).execute(name("app"), to: 1, reason: nil, as: admin) }
        #expect(try f.read().execute(name("app"), as: admin, encoding: .gzip).version.serial == .max)
    }

    @Test(arguments: StoreKind.available)
    func expiryAndRestoreNeverBothWin(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.write(f, "app", serial: 1)
        try f.delete().execute(name("app"), as: admin)
        let deleted = try #require(
            try self.listing(f).execute(StateQuery(deleted: true, limit: 10), as: admin).entries.first)
        f.clock.advance(seconds: 86_400)
        // A sweep listed the state as deleted; an admin restores it before the sweep's transaction.
        _ = try RestoreState(store: f.store, clock: f.clock).execute(name("app"), id: nil, as: admin)
        let expunged = try f.store.transaction {
            try $0.pruning.expungeState(stateID: deleted.state.id, deletedBefore: f.clock.now())
        }
        #expect(!expunged)
        #expect(try f.read().execute(name("app"), as: admin, encoding: .identity).body == stateBody(serial: 1))
        // Restored twice (two admins at once): the second finds nothing to restore.
        #expect(try f.store.transaction { try $0.states.restoreState(stateID: deleted.state.id) } == false)
        // Two sweeps expiring the same state: one removes it, the other finds it gone.
        try f.delete().execute(name("app"), as: admin)
        f.clock.advance(seconds: 86_400)
        let cutoff = f.clock.now()
        #expect(
            try f.store.transaction { try $0.pruning.expungeState(stateID: deleted.state.id, deletedBefore: cutoff) })
        #expect(
            !(try f.store.transaction { try $0.pruning.expungeState(stateID: deleted.state.id, deletedBefore: cutoff) })
        )
        // The sweep audits only what it removed.
        try self.write(f, "other", serial: 1)
        try f.delete().execute(name("other"), as: admin)
        f.clock.advance(seconds: 3 * 86_400)
        let sweep = ApplyRetention(
            store: f.store, clock: f.clock,
            policy: RetentionPolicy(versionDays: nil, keepVersions: 1, deletedStateDays: 1))
        #expect(try sweep.execute().statesExpired == 1)
        #expect(try self.audit(f).filter { $0.action == .expireState }.map(\.state?.rawValue) == ["other"])
    }

    @Test(arguments: StoreKind.available)
    func statesThatAreNotTerraformShapedCannotBeDiffedButNothingFails(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.write(f, "odd", serial: 1, body: Array(#"{"serial":1,"lineage":"x","resources":"nope"}"#.utf8))
        try self.write(f, "odd", serial: 2, body: Array(#"{"serial":2,"lineage":"x","resources":"nope"}"#.utf8))
        expectError(.unprocessable) {
            _ = try self.diff(f).execute(name("odd"), from: nil, to: nil, as: admin)
        }
    }
}

/// A Terraform v4 state with `resources` resources (`terraform_data.item0` …), a plain and a
/// sensitive output.
func terraformState(serial: Int64, resources: Int, lineage: String = "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a")
    -> [UInt8]
{
    let list = (0..<resources).map { index in
        #"{"mode":"managed","type":"terraform_data","name":"item\#(index)","provider":"provider[\"terraform.io/builtin/terraform\"]","instances":[{"schema_version":0,"attributes":{"id":"id-\#(index)","input":"v\#(index)"},"sensitive_attributes":[]}]}"#
    }
    let text = """
        {
          "version": 4,
          "terraform_version": "1.15.5",
          "serial": \(serial),
          "lineage": "\(lineage)",
          "outputs": {
            "endpoint": {"value": "https://example.test/\(resources)", "type": "string"},
            "password": {"value": "s3cr3t-\(resources)", "type": "string", "sensitive": true}
          },
          "resources": [\(list.joined(separator: ","))],
          "check_results": null
        }

        """
    return Array(text.utf8)
}

/// An OpenTofu client-side encrypted envelope.
func encryptedState(serial: Int64) -> [UInt8] {
    Array(
        #"{"serial":\#(serial),"lineage":"enc-lineage","meta":{"key_provider.pbkdf2.k":"eyJzYWx0Ijo="},"encrypted_data":"AAAA\#(serial)","encryption_version":"v0"}"#
            .utf8)
}
