import Application
import Domain
import Testing

/// API tokens on every store: stored with only a hash of the secret, found by it, listed,
/// revoked, used; an owner's name taken once among unrevoked tokens.
@Suite struct TokenContractTests {
    let ci = Caller(Principal(name: "ci", grants: [Grant(prefix: "team", access: .write)]))

    func create(_ f: Fixture, _ name: String, _ grants: [Grant], as caller: Caller, expiresIn: String? = nil)
        throws -> CreateToken.Created
    {
        try CreateToken(store: f.store, clock: f.clock, policy: .standard).execute(
            name: name, grants: grants, expiresIn: expiresIn, as: caller)
    }

    func verifier(_ f: Fixture) -> TokenVerifier {
        TokenVerifier(store: f.store, clock: f.clock) { owner in
            ["ci": [Grant(prefix: "team", access: .write)], "root": [Grant(prefix: "*", access: .admin)]][owner]
        }
    }

    @Test(arguments: StoreKind.available)
    func tokensRoundTripAndAreFoundByTheirSecretsHash(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let grants = [Grant(prefix: "team/app", access: .write), Grant(prefix: "team/docs/", access: .read)]
        let created = try self.create(f, "deploy", grants, as: self.ci, expiresIn: "7d")
        let stored = try f.store.read { try $0.tokens.token(secretHash: TokenSecret.hash(created.secret)) }
        #expect(stored == created.token)
        #expect(try f.store.read { try $0.tokens.token(id: created.token.id) } == created.token)
        #expect(try f.store.read { try $0.tokens.token(secretHash: TokenSecret.hash(TokenSecret.generate())) } == nil)
        #expect(try f.store.read { try $0.tokens.token(id: "tok_none") } == nil)
    }

    @Test(arguments: StoreKind.available)
    func listingRevokingAndLastUseBehaveAlike(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let deploy = try self.create(f, "deploy", [Grant(prefix: "team", access: .write)], as: self.ci)
        let docs = try self.create(f, "docs", [Grant(prefix: "team/docs", access: .read)], as: self.ci)
        let audit = try self.create(f, "audit", [Grant(prefix: "*", access: .read)], as: admin)
        let list = ListTokens(store: f.store)
        #expect(try list.execute(as: self.ci).map(\.name) == ["deploy", "docs"])
        #expect(
            try list.execute(as: admin).map(\.principalName) == [
                "token:ci/deploy", "token:ci/docs", "token:root/audit",
            ])

        let verifier = self.verifier(f)
        guard case .accepted(let principal) = verifier.verify(secret: deploy.secret) else {
            Issue.record("not accepted")
            return
        }
        #expect(principal.name == "token:ci/deploy" && principal.may(.write, name("team/app")))
        #expect(try f.store.read { try $0.tokens.token(id: deploy.token.id) }?.lastUsedAt == f.clock.now())
        #expect(
            try f.store.transaction { try $0.tokens.markUsed(id: deploy.token.id, at: Timestamp(microseconds: 1)) }
                == ())
        #expect(
            try f.store.read { try $0.tokens.token(id: deploy.token.id) }?.lastUsedAt == f.clock.now(),
            "an earlier use never replaces a later one")

        f.clock.advance(seconds: 10)
        let revoked = try RevokeToken(store: f.store, clock: f.clock).execute(id: docs.token.id, as: self.ci)
        #expect(revoked.revokedAt == f.clock.now())
        #expect(try f.store.read { try $0.tokens.token(id: docs.token.id) } == revoked)
        #expect(try list.execute(as: admin).map(\.id) == [deploy.token.id, audit.token.id])
        #expect(verifier.verify(secret: docs.secret) == .rejected)
        // Of two revocations, only the first changes anything.
        #expect(try f.store.transaction { try $0.tokens.revoke(id: deploy.token.id, at: f.clock.now()) })
        #expect(try !f.store.transaction { try $0.tokens.revoke(id: deploy.token.id, at: f.clock.now()) })
        #expect(try !f.store.transaction { try $0.tokens.revoke(id: "tok_none", at: f.clock.now()) })
        #expect(try list.execute(as: admin).map(\.id) == [audit.token.id])

        let events = try ReadAudit(store: f.store).execute(AuditQuery(limit: 10), as: admin).events
        #expect(events.map(\.action) == [.createToken, .createToken, .createToken, .revokeToken])
        #expect(events.allSatisfy { $0.state == nil })
        #expect(events.last?.detail == "\(docs.token.id) token:ci/docs")
    }

    @Test(arguments: StoreKind.available)
    func anOwnerHasOneUnrevokedTokenOfAName(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let first = try self.create(f, "deploy", [Grant(prefix: "team", access: .write)], as: self.ci, expiresIn: "1h")
        expectError(.conflict) { _ = try self.create(f, "deploy", [Grant(prefix: "team", access: .read)], as: self.ci) }
        // The store refuses a second unrevoked one even past the use case.
        let twin = StoredToken(
            id: TokenSecret.newID(), name: "deploy", owner: "ci", grants: [Grant(prefix: "team", access: .read)],
            secretHash: TokenSecret.hash(TokenSecret.generate()), createdAt: f.clock.now(), expiresAt: f.clock.now())
        #expect(throws: (any Error).self) { try f.store.transaction { try $0.tokens.insert(twin) } }
        f.clock.advance(seconds: 3600)
        let second = try self.create(f, "deploy", [Grant(prefix: "team", access: .read)], as: self.ci)
        #expect(try f.store.read { try $0.tokens.token(id: first.token.id) }?.revokedAt == f.clock.now())
        #expect(try ListTokens(store: f.store).execute(as: self.ci).map(\.id) == [second.token.id])
    }
}
