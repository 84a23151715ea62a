import Application
import Domain
import Testing

/// S3 keys: tokens that sign requests, looked up by access key id on every request with the
/// token rules of liveness, owner and grants; never interchangeable with bearer tokens.
@Suite struct S3KeyVerifierTests {
    let store = CountingStore()
    let clock = SteppedClock()
    let ci = Caller(Principal(name: "ci", grants: [Grant(prefix: "team", access: .write)]))
    let users = Users()

    var verifier: S3KeyVerifier {
        let users = self.users
        return S3KeyVerifier(
            store: self.store, clock: self.clock, ownerGrants: { name in users.grants.withLock { $0[name] } })
    }
    var tokens: TokenVerifier {
        let users = self.users
        return TokenVerifier(
            store: self.store, clock: self.clock, ownerGrants: { name in users.grants.withLock { $0[name] } })
    }

    func make(_ name: String, _ grants: [Grant], s3: Bool = true, expiresIn: String? = nil) throws
        -> CreateToken.Created
    {
        try CreateToken(store: self.store, clock: self.clock, policy: .standard).execute(
            name: name, grants: grants, expiresIn: expiresIn, s3: s3, as: self.ci)
    }

    func credential(_ accessKeyID: String?) -> S3Credential? {
        guard let accessKeyID, case .accepted(let credential) = self.verifier.credential(accessKeyID: accessKeyID)
        else { return nil }
        return credential
    }

    @Test func accessKeyIDsAndSecretsHaveTheirShape() {
        let ids = (0..<200).map { _ in S3Secret.newAccessKeyID() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { S3Secret.isAccessKeyID($0) && $0.utf8.count == 20 })
        #expect(!S3Secret.isAccessKeyID("SHAK" + String(repeating: "1", count: 16)), "1 is not base32")
        #expect(!S3Secret.isAccessKeyID("AKIAIOSFODNN7EXAMPLE") && !S3Secret.isAccessKeyID(String(ids[0].dropLast())))
        let secrets = (0..<200).map { _ in S3Secret.generate() }
        #expect(Set(secrets).count == secrets.count)
        #expect(
            secrets.allSatisfy { $0.utf8.count == 40 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
    }

    @Test func aLiveKeyIsItsOwnersDelegateCappedByTheOwnersGrants() throws {
        let key = try self.make(
            "s3", [Grant(prefix: "team/app", access: .write), Grant(prefix: "team/docs", access: .read)])
        let credential = try #require(self.credential(key.accessKeyID))
        #expect(credential.accessKeyID == key.accessKeyID && credential.secret == key.secretAccessKey)
        #expect(credential.principal.name == "token:ci/s3")
        #expect(credential.principal.identity == .token(id: key.token.id, owner: "ci"))
        #expect(credential.principal.may(.write, try StateName("team/app/env:/dev/x.tfstate")))
        #expect(!credential.principal.may(.read, try StateName("team/other")))
        self.users.grants.withLock { $0["ci"] = [Grant(prefix: "team/app", access: .read)] }
        let capped = try #require(self.credential(key.accessKeyID))
        #expect(capped.principal.access(to: try StateName("team/app")) == .read)
        #expect(capped.principal.access(to: try StateName("team/docs")) == nil)
        self.users.grants.withLock { $0["ci"] = nil }
        #expect(self.credential(key.accessKeyID) == nil, "an owner no longer configured")
    }

    @Test func revokedExpiredUnknownAndMalformedKeysAreRejected() throws {
        let revoked = try self.make("revoked", [Grant(prefix: "team", access: .write)])
        let expiring = try self.make("expiring", [Grant(prefix: "team", access: .write)], expiresIn: "1h")
        _ = try RevokeToken(store: self.store, clock: self.clock).execute(id: revoked.token.id, as: self.ci)
        #expect(self.credential(revoked.accessKeyID) == nil)
        self.clock.advance(seconds: 3599)
        #expect(self.credential(expiring.accessKeyID) != nil)
        self.clock.advance(seconds: 1)
        #expect(self.credential(expiring.accessKeyID) == nil)
        #expect(self.credential(S3Secret.newAccessKeyID()) == nil)
        let reads = self.store.reads
        #expect(self.credential("AKIAIOSFODNN7EXAMPLE") == nil && self.credential("SHAK") == nil)
        #expect(self.store.reads == reads, "a malformed id is refused without a lookup")
    }

    @Test func bearerTokensAndS3KeysAreNotInterchangeable() throws {
        let bearer = try self.make("bearer", [Grant(prefix: "team", access: .write)], s3: false)
        let key = try self.make("s3", [Grant(prefix: "team", access: .write)])
        // An S3 key's secret is no bearer token, even shaped like one; nor is its access key id.
        #expect(self.tokens.verify(secret: key.secret) == .rejected)
        #expect(self.tokens.verify(secret: TokenSecret.prefix + key.secret) == .rejected)
        #expect(self.tokens.verify(secret: try #require(key.accessKeyID)) == .rejected)
        // A bearer token has no access key id; its secret or id is not one.
        #expect(self.credential(bearer.secret) == nil && self.credential(bearer.token.id) == nil)
        #expect(self.tokens.verify(secret: bearer.secret) != .rejected)
    }

    @Test func aKeyStoredUnderABearerSecretsHashIsStillNoBearerToken() throws {
        // Defence in depth: were an S3 key found by a bearer secret's hash, it is refused.
        let secret = TokenSecret.generate()
        let now = self.clock.now()
        try self.store.transaction { transaction in
            try transaction.tokens.insert(
                StoredToken(
                    id: TokenSecret.newID(), name: "odd", owner: "ci", grants: [Grant(prefix: "team", access: .read)],
                    secretHash: TokenSecret.hash(secret), createdAt: now,
                    expiresAt: Timestamp(microseconds: now.microseconds + 86_400_000_000),
                    s3: S3KeyMaterial(accessKeyID: S3Secret.newAccessKeyID(), secret: secret)))
        }
        #expect(self.tokens.verify(secret: secret) == .rejected)
    }

    @Test func oneReadPerCheckAndLastUseRecordedOnlyWhenTheSignatureHolds() throws {
        let key = try self.make("s3", [Grant(prefix: "team", access: .write)])
        let lastUsed = { try self.store.read { try $0.tokens.token(id: key.token.id) }?.lastUsedAt }
        let verifier = self.verifier
        let (reads, writes) = (self.store.reads, self.store.writes)
        guard case .accepted(let credential) = verifier.credential(accessKeyID: try #require(key.accessKeyID)) else {
            Issue.record("not accepted")
            return
        }
        // A lookup alone records nothing: the adapter has not checked the signature yet.
        #expect(self.store.reads == reads + 1 && self.store.writes == writes)
        #expect(try lastUsed() == nil)
        verifier.recordUse(of: credential)
        #expect(self.store.writes == writes + 1)
        #expect(try lastUsed() == self.clock.now())
        self.clock.advance(seconds: 30)
        verifier.recordUse(of: credential)
        #expect(self.store.writes == writes + 1, "at most once a minute")
    }

    @Test func aStoreOutageIsUnavailable() throws {
        let key = try self.make("s3", [Grant(prefix: "team", access: .write)])
        self.store.failing.withLock { $0 = true }
        guard case .unavailable(let why) = self.verifier.credential(accessKeyID: try #require(key.accessKeyID)) else {
            Issue.record("not unavailable")
            return
        }
        #expect(why == "the store does not answer")
    }

    @Test func creatingAKeyIsAuditedAsOne() throws {
        let key = try self.make("s3", [Grant(prefix: "team", access: .write)])
        let root = Caller(Principal(name: "root", grants: [Grant(prefix: "*", access: .admin)]))
        let event = try #require(try ReadAudit(store: self.store).execute(AuditQuery(limit: 1), as: root).events.first)
        #expect(
            event.detail?.hasPrefix("\(key.token.id) token:ci/s3 S3 key \(key.accessKeyID!) grants team=write") == true)
    }
}
