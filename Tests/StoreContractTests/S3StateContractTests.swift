import Application
import Domain
import Testing

/// The use cases behind S3's lock object and listing, on every adapter.
@Suite struct S3StateContractTests {
    let alice = Caller(Principal(name: "alice", grants: [Grant(prefix: "*", access: .write)]))
    let bob = Caller(Principal(name: "bob", grants: [Grant(prefix: "*", access: .write)]))
    let outsider = Caller(Principal(name: "outsider", grants: [Grant(prefix: "elsewhere", access: .admin)]))

    func put(_ f: Fixture, _ state: String, serial: Int64 = 1) throws {
        _ = try f.write().execute(
            .init(name: name(state), body: stateBody(serial: serial), lockID: nil, contentMD5: nil), as: admin)
    }

    func events(_ f: Fixture) throws -> [AuditEvent] {
        try ReadAudit(store: f.store).execute(AuditQuery(limit: 100), as: admin).events
    }

    @Test(arguments: StoreKind.available)
    func theLockObjectIsTheHoldersLockInfoByteForByte(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let read = ReadLock(store: f.store)
        #expect(try read.execute(name("a"), as: self.alice) == nil)
        // Spaced and ordered as the client sent it, through the http backend's LOCK.
        let body = Array(#"{ "Who": "alice@host",  "ID": "L1", "Operation": "OperationTypePlan" }"#.utf8)
        #expect(try f.lock().execute(name("a"), body: body, as: self.alice) == .acquired)
        let lock = try #require(try read.execute(name("a"), as: self.bob))
        #expect(lock.info.json == body)
        #expect(lock.acquiredBy == "alice")
        #expect(lock.acquiredAt == f.clock.now())
        expectError(.forbidden) { _ = try read.execute(name("a"), as: self.outsider) }
        // The lock alone makes no state to read.
        expectError(.notFound) { _ = try f.read().execute(name("a"), as: admin, encoding: .identity) }
    }

    @Test(arguments: StoreKind.available)
    func deletingTheLockObjectUnlocksForTheHolderAndForceUnlocksForOthers(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let release = ReleaseLockFile(store: f.store, clock: f.clock)
        #expect(try release.execute(name("a"), as: self.alice) == .notLocked)
        _ = try f.lock().execute(name("a"), body: lockBody("L1"), as: self.alice)
        guard case .released(let own) = try release.execute(name("a"), as: self.alice) else {
            Issue.record("not released")
            return
        }
        #expect(own.info == (try LockInfo(json: lockBody("L1"))))
        #expect(try release.execute(name("a"), as: self.alice) == .notLocked)
        #expect(try f.lock().execute(name("a"), body: lockBody("L2", who: "alice@laptop"), as: self.alice) == .acquired)
        f.clock.advance(seconds: 5)
        guard case .released(let other) = try release.execute(name("a"), as: self.bob) else {
            Issue.record("not released")
            return
        }
        #expect(other.info.id == "L2")
        #expect(try ReadLock(store: f.store).execute(name("a"), as: self.alice) == nil)
        let audit = try self.events(f).filter { $0.action == .unlock || $0.action == .forceUnlock }
        #expect(audit.map(\.action) == [.unlock, .forceUnlock])
        #expect(audit.map(\.lockID) == ["L1", "L2"])
        #expect(audit.map(\.user) == ["alice", "bob"])
        #expect(audit.map(\.detail) == [nil, "held by alice@laptop for OperationTypeApply"])
        expectError(.forbidden) { _ = try release.execute(name("a"), as: self.outsider) }
        let reader = Caller(Principal(name: "reader", grants: [Grant(prefix: "*", access: .read)]))
        expectError(.forbidden) { _ = try release.execute(name("a"), as: reader) }
    }

    @Test(arguments: StoreKind.available)
    func theCatalogListsOnlyStatesWithAVersionWhenAsked(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.put(f, "a")
        _ = try f.lock().execute(name("b"), body: lockBody("L1"), as: admin)
        try self.put(f, "c")
        _ = try f.lock().execute(name("c"), body: lockBody("L2"), as: admin)
        let names = { (withVersion: Bool) in
            try f.store.read { transaction in
                try transaction.catalog.states(StateQuery(withVersion: withVersion, limit: 10)).map(\.state.name)
            }
        }
        #expect(try names(false) == [name("a"), name("b"), name("c")])
        #expect(try names(true) == [name("a"), name("c")])
    }

    /// infra/a, infra/env:/dev/app, infra/env:/prod/app, infra/team/x, infra/team/y, infra/zz and
    /// other/z have versions; infra/env:/qa/app is only locked.
    func populate(_ f: Fixture) throws {
        for state in ["infra/zz", "infra/env:/prod/app", "infra/a", "infra/team/y", "other/z", "infra/team/x"] {
            try self.put(f, state)
            f.clock.advance(seconds: 1)
        }
        try self.put(f, "infra/env:/dev/app")
        try self.put(f, "infra/env:/dev/app", serial: 2)
        _ = try f.lock().execute(name("infra/env:/qa/app"), body: lockBody("L1"), as: admin)
    }

    func list(
        _ f: Fixture, _ prefix: String, delimiter: String? = nil, after: String? = nil, limit: Int = 1000,
        as caller: Caller = admin
    ) throws -> ListObjects.Page {
        try ListObjects(store: f.store).execute(
            .init(prefix: prefix, delimiter: delimiter, after: after, limit: limit), as: caller)
    }

    @Test(arguments: StoreKind.available)
    func listsStatesWithAVersionUnderAPrefixInByteOrder(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.populate(f)
        let workspaces = try self.list(f, "infra/env:/")
        #expect(workspaces.objects.map(\.name) == [name("infra/env:/dev/app"), name("infra/env:/prod/app")])
        #expect(workspaces.commonPrefixes == [])
        #expect(!workspaces.isTruncated)
        #expect(workspaces.last == "infra/env:/prod/app")
        let dev = try #require(workspaces.objects.first)
        #expect(dev.size == Int64(stateBody(serial: 2).count))
        #expect(dev.md5 == StateBlob.md5(stateBody(serial: 2)))
        #expect(dev.modifiedAt == f.clock.now())
        let everything = try self.list(f, "")
        #expect(everything.objects.count == 7)
        #expect(everything.objects.map(\.name.rawValue) == everything.objects.map(\.name.rawValue).sorted())
        #expect(try self.list(f, "infra/env:/qa").objects.isEmpty)
        #expect(try self.list(f, "nothing").objects.isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func pagesEndExactlyAndResumeAfterTheLastName(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.populate(f)
        var pages: [[String]] = []
        var after: String? = nil
        for _ in 0..<10 {
            let page = try self.list(f, "infra/", after: after, limit: 2)
            pages.append(page.objects.map(\.name.rawValue))
            guard page.isTruncated else { break }
            after = page.last
        }
        #expect(
            pages == [
                ["infra/a", "infra/env:/dev/app"], ["infra/env:/prod/app", "infra/team/x"],
                ["infra/team/y", "infra/zz"],
            ])
        // S3's start-after: strictly after any name, listed or not.
        #expect(try self.list(f, "infra/", after: "infra/b").objects.first?.name == name("infra/env:/dev/app"))
        #expect(try self.list(f, "infra/", after: "a").objects.count == 6)
        let none = try self.list(f, "infra/", limit: 0)
        #expect(none.objects.isEmpty && !none.isTruncated)
        expectError(.invalidInput) { _ = try self.list(f, "infra/", limit: 1001) }
        expectError(.invalidInput) { _ = try self.list(f, String(repeating: "x", count: 1025)) }
    }

    @Test(arguments: StoreKind.available)
    func aDelimiterGroupsNamesIntoCommonPrefixesCountedAsOne(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.populate(f)
        let all = try self.list(f, "infra/", delimiter: "/")
        #expect(all.objects.map(\.name.rawValue) == ["infra/a", "infra/zz"])
        #expect(all.commonPrefixes == ["infra/env:/", "infra/team/"])
        #expect(!all.isTruncated)
        // One item a page: a common prefix resumes after its whole group.
        var items: [String] = []
        var after: String? = nil
        for _ in 0..<10 {
            let page = try self.list(f, "infra/", delimiter: "/", after: after, limit: 1)
            items += page.objects.map(\.name.rawValue) + page.commonPrefixes
            #expect(page.objects.count + page.commonPrefixes.count == 1)
            guard page.isTruncated else { break }
            after = page.last
        }
        #expect(items == ["infra/a", "infra/env:/", "infra/team/", "infra/zz"])
        // Nested: the groups under env:/, and a delimiter that is not '/'.
        #expect(
            try self.list(f, "infra/env:/", delimiter: "/").commonPrefixes == ["infra/env:/dev/", "infra/env:/prod/"])
        #expect(try self.list(f, "infra/", delimiter: ":").commonPrefixes == ["infra/env:"])
        #expect(try self.list(f, "infra/", delimiter: "").commonPrefixes == [])
    }

    @Test(arguments: StoreKind.available)
    func onlyWhatTheCallerMayReadIsListed(kind: StoreKind) throws {
        let f = try Fixture(kind)
        try self.populate(f)
        let reader = Caller(
            Principal(
                name: "reader",
                grants: [Grant(prefix: "infra/team/y", access: .read), Grant(prefix: "other", access: .read)]
            ))
        #expect(try self.list(f, "", as: reader).objects.map(\.name.rawValue) == ["infra/team/y", "other/z"])
        // A group shows when one of its names is readable, even after unreadable ones.
        let grouped = try self.list(f, "infra/", delimiter: "/", as: reader)
        #expect(grouped.objects.isEmpty)
        #expect(grouped.commonPrefixes == ["infra/team/"])
        let first = try self.list(f, "", limit: 1, as: reader)
        #expect(first.objects.map(\.name.rawValue) == ["infra/team/y"] && first.isTruncated)
        let second = try self.list(f, "", after: first.last, limit: 1, as: reader)
        #expect(second.objects.map(\.name.rawValue) == ["other/z"] && !second.isTruncated)
        #expect(try self.list(f, "", as: self.outsider).objects.isEmpty)
    }
}
