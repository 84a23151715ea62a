import Testing

@testable import Domain

@Suite struct WritePolicyTests {
    let latest = VersionSummary(serial: 5, lineage: "L", sha256: [1])
    let strict = WritePolicy(allowLineageChange: false)

    @Test func theFirstWriteIsAppended() {
        #expect(
            self.strict.decide(latest: nil, incoming: StateHeader(serial: 0, lineage: "X"), sha256: [9])
                == .success(.append))
    }

    @Test func aHigherSerialIsAppended() {
        #expect(
            self.strict.decide(latest: self.latest, incoming: StateHeader(serial: 6, lineage: "L"), sha256: [2])
                == .success(.append))
    }

    @Test func theSameBytesAreAReplay() {
        #expect(
            self.strict.decide(latest: self.latest, incoming: StateHeader(serial: 5, lineage: "L"), sha256: [1])
                == .success(.replay))
    }

    @Test func aLowerSerialIsStale() {
        #expect(
            self.strict.decide(latest: self.latest, incoming: StateHeader(serial: 4, lineage: "L"), sha256: [2])
                == .failure(.stale(latest: 5, sent: 4)))
    }

    @Test func theSameSerialWithOtherBytesConflicts() {
        #expect(
            self.strict.decide(latest: self.latest, incoming: StateHeader(serial: 5, lineage: "L"), sha256: [2])
                == .failure(.conflictingContent(serial: 5)))
    }

    @Test func anotherLineageIsRefusedUnlessAllowed() {
        let other = StateHeader(serial: 1, lineage: "M")
        #expect(
            self.strict.decide(latest: self.latest, incoming: other, sha256: [2])
                == .failure(.otherLineage(latest: "L", sent: "M")))
        #expect(
            WritePolicy(allowLineageChange: true).decide(latest: self.latest, incoming: other, sha256: [2])
                == .success(.append))
    }
}

@Suite struct LockRulesTests {
    func info(_ id: String) throws -> LockInfo { try LockInfo(json: Array(#"{"ID":"\#(id)"}"#.utf8)) }

    @Test func acquire() throws {
        #expect(LockRules.acquire(holder: nil, requested: try info("a")) == .success(.acquired))
        #expect(LockRules.acquire(holder: try info("a"), requested: try info("a")) == .success(.alreadyHeld))
        #expect(
            LockRules.acquire(holder: try info("a"), requested: try info("b")) == .failure(.init(holder: try info("a")))
        )
    }

    @Test func release() throws {
        #expect(LockRules.release(holder: nil, request: .id("a")) == .success(.notLocked))
        #expect(LockRules.release(holder: nil, request: .force) == .success(.notLocked))
        #expect(
            LockRules.release(holder: try info("a"), request: .id("a"))
                == .success(.released(holder: try info("a"), forced: false)))
        #expect(
            LockRules.release(holder: try info("a"), request: .force)
                == .success(.released(holder: try info("a"), forced: true)))
        #expect(LockRules.release(holder: try info("a"), request: .id("b")) == .failure(.init(holder: try info("a"))))
    }

    @Test func fence() throws {
        #expect((try? LockRules.fence(holder: nil, lockID: nil).get()) != nil)
        #expect((try? LockRules.fence(holder: try info("a"), lockID: "a").get()) != nil)
        #expect(throws: LockRules.FenceFailure.heldByOther(try info("a"))) {
            try LockRules.fence(holder: try info("a"), lockID: nil).get()
        }
        #expect(throws: LockRules.FenceFailure.heldByOther(try info("a"))) {
            try LockRules.fence(holder: try info("a"), lockID: "b").get()
        }
        #expect(throws: LockRules.FenceFailure.notHeld(id: "a")) { try LockRules.fence(holder: nil, lockID: "a").get() }
    }
}

@Suite struct AccessTests {
    @Test func grantsMatchOnSegmentBoundaries() throws {
        let grant = Grant(prefix: "team/app", access: .write)
        #expect(grant.covers(try StateName("team/app")))
        #expect(grant.covers(try StateName("team/app/prod")))
        #expect(!grant.covers(try StateName("team/application")))
        #expect(Grant(prefix: "team/", access: .read).covers(try StateName("team/x")))
        #expect(Grant(prefix: "*", access: .read).covers(try StateName("anything")))
    }

    @Test func theHighestCoveringGrantWins() throws {
        let principal = Principal(
            name: "p", grants: [Grant(prefix: "*", access: .read), Grant(prefix: "team", access: .admin)])
        #expect(principal.may(.admin, try StateName("team/x")))
        #expect(principal.may(.read, try StateName("other")))
        #expect(!principal.may(.write, try StateName("other")))
        #expect(!Principal(name: "none", grants: []).may(.read, try StateName("x")))
    }
}

@Suite struct TimestampTests {
    @Test func formatsRFC3339() {
        #expect(Timestamp(microseconds: 0).description == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp(microseconds: 1_795_314_671_123_456).description == "2026-11-22T02:31:11.123456Z")
        #expect(Timestamp(microseconds: 951_782_400_000_001).description == "2000-02-29T00:00:00.000001Z")
        #expect(Timestamp(microseconds: -1).description == "1969-12-31T23:59:59.999999Z")
    }
}
