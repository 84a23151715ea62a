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

    @Test func fenceByPrincipal() throws {
        // Unlocked: passes, recorded under no lock.
        #expect(try LockRules.fence(holder: nil, holderPrincipal: nil, writer: "token:ci/s3").get() == nil)
        // Locked by the writer's own principal: passes under the holder's ID.
        #expect(
            try LockRules.fence(holder: try info("a"), holderPrincipal: "token:ci/s3", writer: "token:ci/s3").get()
                == "a")
        // Locked by anyone else: refused with the holder.
        #expect(throws: LockRules.FenceFailure.heldByOther(try info("a"))) {
            try LockRules.fence(holder: try info("a"), holderPrincipal: "alice", writer: "token:ci/s3").get()
        }
        #expect(throws: LockRules.FenceFailure.heldByOther(try info("a"))) {
            try LockRules.fence(holder: try info("a"), holderPrincipal: nil, writer: "token:ci/s3").get()
        }
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

@Suite struct ProtectedPrefixTests {
    let github = "https://token.actions.githubusercontent.com"

    func workload(_ claims: [String: String], issuer: String? = nil) -> Principal {
        Principal(name: "oidc:w", grants: [], identity: .workload(issuer: issuer ?? self.github, claims: claims))
    }

    @Test func claimPatternsMatchExactlyOrByATrailingStar() {
        #expect(ClaimPattern("refs/heads/main").matches("refs/heads/main"))
        #expect(!ClaimPattern("refs/heads/main").matches("refs/heads/main2"))
        #expect(ClaimPattern("acme/*").matches("acme/infra"))
        #expect(!ClaimPattern("acme/*").matches("acme"))
        #expect(!ClaimPattern("acme/*").matches("acmex/infra"))
        #expect(ClaimPattern("*").matches(""))
    }

    @Test func aWorkloadPatternNeedsItsIssuerAndEveryClaim() {
        let pattern = ProtectedPrefix.Pattern.workload(
            issuer: self.github, claims: ["repository": ClaimPattern("acme/*"), "ref": ClaimPattern("refs/heads/main")])
        #expect(pattern.matches(self.workload(["repository": "acme/infra", "ref": "refs/heads/main"])))
        #expect(!pattern.matches(self.workload(["repository": "acme/infra", "ref": "refs/heads/dev"])))
        #expect(!pattern.matches(self.workload(["repository": "acme/infra"])))
        #expect(
            !pattern.matches(
                self.workload(["repository": "acme/infra", "ref": "refs/heads/main"], issuer: "https://gitlab.com")))
        #expect(!pattern.matches(Principal(name: "oidc:w", grants: [])), "a user named like a workload is not one")
    }

    @Test func aPrincipalPatternIsItsExactName() {
        #expect(ProtectedPrefix.Pattern.principal("ci").matches(Principal(name: "ci", grants: [])))
        #expect(!ProtectedPrefix.Pattern.principal("ci").matches(Principal(name: "ci2", grants: [])))
    }

    @Test func principalsAreBoundOnlyByTheRulesThatDoNotAdmitThem() throws {
        let prod = ProtectedPrefix(prefix: "acme/prod", allowed: [.principal("ci")])
        let frozen = ProtectedPrefix(prefix: "acme/legacy", allowed: [])
        let ci = Principal(name: "ci", grants: [Grant(prefix: "*", access: .admin)]).protected(by: [prod, frozen])
        #expect(ci.protections == [frozen])
        #expect(ci.protection(of: try StateName("acme/prod/eu")) == nil)
        #expect(ci.protection(of: try StateName("acme/legacy")) == frozen)
        #expect(ci.protection(of: try StateName("acme/production")) == nil, "segment boundaries, like grants")
        #expect(ci.may(.admin, try StateName("acme/legacy")), "grants are untouched")
        #expect(
            frozen.description == #"protected prefix "acme/legacy" (no one may change or lock states under it)"#)
        let both = ProtectedPrefix(
            prefix: "*",
            allowed: [.principal("ci"), .workload(issuer: "https://i", claims: ["ref": ClaimPattern("refs/*")])])
        #expect(
            both.description
                == #"protected prefix "*" (only ci; or OIDC tokens of https://i with ref=refs/* may change or lock states under it)"#
        )
    }
}
