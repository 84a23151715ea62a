import Application
import Domain
import InMemoryStore
import Synchronization
import Testing

/// API tokens: created within the creator's grants, listed without secrets, revoked at once,
/// checked on every request against the store.
@Suite struct TokenTests {
    let store = CountingStore()
    let clock = SteppedClock()
    let root = Caller(Principal(name: "root", grants: [Grant(prefix: "*", access: .admin)]))
    let ci = Caller(Principal(name: "ci", grants: [Grant(prefix: "team", access: .write)]))
    let viewer = Caller(Principal(name: "viewer", grants: [Grant(prefix: "*", access: .read)]))
    /// The configured users' grants, which a test may change.
    let users = Users()

    var create: CreateToken { CreateToken(store: self.store, clock: self.clock, policy: .standard) }
    var revoke: RevokeToken { RevokeToken(store: self.store, clock: self.clock) }
    var verifier: TokenVerifier {
        let users = self.users
        return TokenVerifier(
            store: self.store, clock: self.clock, ownerGrants: { name in users.grants.withLock { $0[name] } })
    }

    func kind(_ body: () throws -> Void) -> ApplicationError.Kind? {
        do {
            try body()
            return nil
        } catch {
            return (error as? ApplicationError)?.kind
        }
    }

    func make(_ name: String, _ grants: [String: Access], by caller: Caller, expiresIn: String? = nil) throws
        -> CreateToken.Created
    {
        try self.create.execute(
            name: name, grants: grants.sorted { $0.key < $1.key }.map { Grant(prefix: $0.key, access: $0.value) },
            expiresIn: expiresIn, as: caller)
    }

    @Test func secretsAreWellFormedAndATypoIsCaughtByTheChecksum() {
        let secrets = (0..<200).map { _ in TokenSecret.generate() }
        #expect(Set(secrets).count == secrets.count)
        for secret in secrets {
            #expect(secret.hasPrefix("sht_") && secret.utf8.count == 53)
            #expect(TokenSecret.isWellFormed(secret))
        }
        var typo = Array(secrets[0].utf8)
        typo[10] = typo[10] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        #expect(!TokenSecret.isWellFormed(String(decoding: typo, as: UTF8.self)))
        #expect(!TokenSecret.isWellFormed(String(secrets[0].dropLast())))
        #expect(!TokenSecret.isWellFormed(secrets[0].replacingFirstCharacter(after: "sht_", with: "!")))
        #expect(TokenSecret.newID().hasPrefix("tok_"))
    }

    @Test func aUserCreatesTokensOnlyWithinTheirOwnGrants() throws {
        let created = try self.make("deploy", ["team/app": .write], by: self.ci, expiresIn: "12h")
        #expect(created.token.owner == "ci" && created.token.grants == [Grant(prefix: "team/app", access: .write)])
        #expect(created.token.secretHash == TokenSecret.hash(created.secret))
        #expect(created.token.expiresAt.microseconds - created.token.createdAt.microseconds == 12 * 3_600_000_000)
        #expect(self.kind { _ = try self.make("a", ["team/app": .admin], by: self.ci) } == .forbidden)
        #expect(self.kind { _ = try self.make("b", ["teams": .read], by: self.ci) } == .forbidden)
        #expect(self.kind { _ = try self.make("c", ["*": .read], by: self.ci) } == .forbidden)
        #expect(self.kind { _ = try self.make("d", ["team": .write, "ops": .read], by: self.ci) } == .forbidden)
        // An admin on * may create any.
        #expect(try self.make("any", ["*": .admin, "ops": .write], by: self.root).token.grants.count == 2)
    }

    @Test func onlyUsersManageTokens() throws {
        let token = try self.make("deploy", ["team": .write], by: self.ci)
        let asToken = Caller(
            Principal(
                name: "token:ci/deploy", grants: [Grant(prefix: "*", access: .admin)],
                identity: .token(id: token.token.id, owner: "ci")))
        #expect(self.kind { _ = try self.make("more", ["team": .read], by: asToken) } == .forbidden)
        #expect(self.kind { _ = try ListTokens(store: self.store).execute(as: asToken) } == .forbidden)
        #expect(self.kind { _ = try self.revoke.execute(id: token.token.id, as: asToken) } == .forbidden)
    }

    @Test func badNamesGrantsAndLifetimesAreInvalidInput() {
        #expect(self.kind { _ = try self.make("", ["team": .read], by: self.ci) } == .invalidInput)
        #expect(self.kind { _ = try self.make("a/b", ["team": .read], by: self.ci) } == .invalidInput)
        #expect(self.kind { _ = try self.make("ok", [:], by: self.ci) } == .invalidInput)
        #expect(self.kind { _ = try self.make("ok", ["team//x": .read], by: self.root) } == .invalidInput)
        #expect(self.kind { _ = try self.make("ok", ["team": .read], by: self.ci, expiresIn: "366d") } == .invalidInput)
        #expect(self.kind { _ = try self.make("ok", ["team": .read], by: self.ci, expiresIn: "0") } == .invalidInput)
        #expect(self.kind { _ = try self.make("ok", ["team": .read], by: self.ci, expiresIn: "soon") } == .invalidInput)
    }

    @Test func theDefaultLifetimeAppliesAndTheMaximumIsAccepted() throws {
        let policy = TokenPolicy(defaultLifetime: 3_600_000_000, maxLifetime: 7_200_000_000)
        let create = CreateToken(store: self.store, clock: self.clock, policy: policy)
        let short = try create.execute(
            name: "a", grants: [Grant(prefix: "team", access: .read)], expiresIn: nil, as: self.ci)
        #expect(short.token.expiresAt.microseconds - short.token.createdAt.microseconds == 3_600_000_000)
        let long = try create.execute(
            name: "b", grants: [Grant(prefix: "team", access: .read)], expiresIn: "2h", as: self.ci)
        #expect(long.token.expiresAt.microseconds - long.token.createdAt.microseconds == 7_200_000_000)
        #expect(
            self.kind {
                _ = try create.execute(
                    name: "c", grants: [Grant(prefix: "team", access: .read)], expiresIn: "121m", as: self.ci)
            } == .invalidInput)
    }

    @Test func aUserHasAtMostAHundredLiveTokens() throws {
        for index in 0..<CreateToken.maxLiveTokens {
            _ = try self.make("t\(index)", ["team": .read], by: self.ci, expiresIn: index == 0 ? "1h" : nil)
        }
        #expect(self.kind { _ = try self.make("one-more", ["team": .read], by: self.ci) } == .conflict)
        _ = try self.make("one-more", ["team": .read], by: self.root)
        self.clock.advance(seconds: 3601)
        _ = try self.make("one-more", ["team": .read], by: self.ci)
    }

    @Test func namesAreUniqueAmongAnOwnersLiveTokens() throws {
        let first = try self.make("deploy", ["team": .write], by: self.ci, expiresIn: "1h")
        #expect(self.kind { _ = try self.make("deploy", ["team": .read], by: self.ci) } == .conflict)
        // Another owner may use the name.
        _ = try self.make("deploy", ["team": .read], by: self.root)
        // Expired: the name is free again, and the old token is retired.
        self.clock.advance(seconds: 3601)
        let second = try self.make("deploy", ["team": .read], by: self.ci)
        #expect(try self.store.read { try $0.tokens.token(id: first.token.id) }?.revokedAt != nil)
        // Revoked: free too.
        _ = try self.revoke.execute(id: second.token.id, as: self.ci)
        _ = try self.make("deploy", ["team": .read], by: self.ci)
    }

    @Test func usersListTheirOwnTokensAndAdminsEveryonesWithoutRevokedOnes() throws {
        let ciToken = try self.make("deploy", ["team": .write], by: self.ci)
        _ = try self.make("audit", ["*": .read], by: self.root)
        let gone = try self.make("old", ["team": .read], by: self.ci)
        _ = try self.revoke.execute(id: gone.token.id, as: self.ci)
        let list = ListTokens(store: self.store)
        #expect(try list.execute(as: self.ci).map(\.id) == [ciToken.token.id])
        #expect(try list.execute(as: self.root).map(\.principalName) == ["token:ci/deploy", "token:root/audit"])
        #expect(try list.execute(as: self.viewer).isEmpty)
    }

    @Test func revokingIsForTheOwnerOrAnAdminAndIsAudited() throws {
        let token = try self.make("deploy", ["team": .write], by: self.ci)
        #expect(self.kind { _ = try self.revoke.execute(id: token.token.id, as: self.viewer) } == .notFound)
        #expect(self.kind { _ = try self.revoke.execute(id: "tok_missing", as: self.root) } == .notFound)
        let revoked = try self.revoke.execute(id: token.token.id, as: self.root)
        #expect(revoked.revokedAt == self.clock.now())
        // Again: answered as it is, not audited twice.
        self.clock.advance(seconds: 5)
        #expect(try self.revoke.execute(id: token.token.id, as: self.ci).revokedAt == revoked.revokedAt)

        let audit = ReadAudit(store: self.store)
        let events = try audit.execute(AuditQuery(limit: 10), as: self.root).events
        #expect(events.map(\.action) == [.createToken, .revokeToken])
        #expect(events.allSatisfy { $0.state == nil })
        #expect(events.map(\.user) == ["ci", "root"])
        #expect(events[0].detail?.contains("\(token.token.id) token:ci/deploy grants team=write") == true)
        #expect(events.allSatisfy { !($0.detail ?? "").contains(token.secret) })
        // ci sees the event it caused, not the admin's; a reader of every state sees neither.
        #expect(try audit.execute(AuditQuery(limit: 10), as: self.ci).events.map(\.action) == [.createToken])
        #expect(try audit.execute(AuditQuery(limit: 10), as: self.viewer).events.isEmpty)
    }

    @Test func theVerifierAcceptsALiveTokenAsItsOwnersDelegate() throws {
        let token = try self.make("deploy", ["team/app": .write, "team/docs": .read], by: self.ci)
        let verifier = self.verifier
        #expect(verifier.recognizes(token.secret) && !verifier.recognizes("hunter2"))
        guard case .accepted(let principal) = verifier.verify(secret: token.secret) else {
            Issue.record("not accepted")
            return
        }
        #expect(principal.name == "token:ci/deploy")
        #expect(principal.identity == .token(id: token.token.id, owner: "ci"))
        #expect(principal.may(.write, try StateName("team/app/prod")))
        #expect(!principal.may(.read, try StateName("team/other")))
        // The owner loses write on team: the token keeps only what the owner still has.
        self.users.grants.withLock { $0["ci"] = [Grant(prefix: "team/app", access: .read)] }
        guard case .accepted(let capped) = verifier.verify(secret: token.secret) else {
            Issue.record("not accepted")
            return
        }
        #expect(capped.access(to: try StateName("team/app")) == .read)
        #expect(capped.access(to: try StateName("team/docs")) == nil)
        // The owner is no longer configured.
        self.users.grants.withLock { $0["ci"] = nil }
        #expect(verifier.verify(secret: token.secret) == .rejected)
    }

    @Test func revokedExpiredAndUnknownTokensAreRejected() throws {
        let token = try self.make("deploy", ["team": .write], by: self.ci, expiresIn: "1h")
        let other = try self.make("other", ["team": .write], by: self.ci, expiresIn: "2h")
        let verifier = self.verifier
        _ = try self.revoke.execute(id: token.token.id, as: self.ci)
        #expect(verifier.verify(secret: token.secret) == .rejected)
        self.clock.advance(seconds: 7199)
        #expect(verifier.verify(secret: other.secret) != .rejected)
        self.clock.advance(seconds: 1)
        #expect(verifier.verify(secret: other.secret) == .rejected)
        #expect(verifier.verify(secret: TokenSecret.generate()) == .rejected)
    }

    @Test func aBadChecksumIsRejectedWithoutAStoreLookup() throws {
        let token = try self.make("deploy", ["team": .write], by: self.ci)
        var typo = Array(token.secret.utf8)
        typo[20] = typo[20] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        let reads = self.store.reads
        #expect(self.verifier.verify(secret: String(decoding: typo, as: UTF8.self)) == .rejected)
        #expect(self.verifier.verify(secret: "sht_short") == .rejected)
        #expect(self.store.reads == reads)
        _ = self.verifier.verify(secret: token.secret)
        #expect(self.store.reads == reads + 1)
    }

    @Test func aStoreOutageIsUnavailableNotRejected() throws {
        let token = try self.make("deploy", ["team": .write], by: self.ci)
        self.store.failing.withLock { $0 = true }
        #expect(self.verifier.verify(secret: token.secret) == .unavailable("the store does not answer"))
    }

    @Test func lastUsedIsWrittenAtMostOnceAMinutePerProcess() throws {
        let token = try self.make("deploy", ["team": .write], by: self.ci)
        let verifier = self.verifier
        let lastUsed = { try self.store.read { try $0.tokens.token(id: token.token.id) }?.lastUsedAt }
        #expect(try lastUsed() == nil)
        let first = self.clock.now()
        let writes = self.store.writes
        _ = verifier.verify(secret: token.secret)
        self.clock.advance(seconds: 30)
        _ = verifier.verify(secret: token.secret)
        _ = verifier.verify(secret: token.secret)
        #expect(try lastUsed() == first)
        #expect(self.store.writes == writes + 1)
        self.clock.advance(seconds: 30)
        _ = verifier.verify(secret: token.secret)
        #expect(try lastUsed() == self.clock.now())
        #expect(self.store.writes == writes + 2)
    }

    @Test func theLastWritesRememberedAreBounded() throws {
        let count = 50
        let verifier = TokenVerifier(
            store: self.store, clock: self.clock, maxRemembered: count,
            ownerGrants: { _ in [Grant(prefix: "*", access: .admin)] })
        let now = self.clock.now()
        let secrets = (0...count).map { _ in TokenSecret.generate() }
        try self.store.transaction { transaction in
            for (index, secret) in secrets.enumerated() {
                try transaction.tokens.insert(
                    StoredToken(
                        id: TokenSecret.newID(), name: "t\(index)", owner: "ci",
                        grants: [Grant(prefix: "team", access: .read)],
                        secretHash: TokenSecret.hash(secret), createdAt: now,
                        expiresAt: Timestamp(microseconds: now.microseconds + 86_400_000_000)))
            }
        }
        for secret in secrets.dropLast() { _ = verifier.verify(secret: secret) }
        #expect(verifier.rememberedWrites == count)
        self.clock.advance(seconds: 61)
        _ = verifier.verify(secret: secrets[count])
        #expect(verifier.rememberedWrites == 1, "those older than a minute were dropped")
    }
}

extension String {
    /// The string with the character after `prefix` replaced.
    fileprivate func replacingFirstCharacter(after prefix: String, with replacement: Character) -> String {
        var characters = Array(self)
        characters[prefix.count] = replacement
        return String(characters)
    }
}

/// The configured users' grants.
final class Users: Sendable {
    let grants = Mutex<[String: [Grant]]>([
        "root": [Grant(prefix: "*", access: .admin)], "ci": [Grant(prefix: "team", access: .write)],
        "viewer": [Grant(prefix: "*", access: .read)],
    ])
}

/// An in-memory store that counts its reads and write transactions, and can be made to fail.
final class CountingStore: UnitOfWork {
    private let inner = InMemoryStore()
    private let counts = Mutex((reads: 0, writes: 0))
    let failing = Mutex(false)

    var reads: Int { self.counts.withLock { $0.reads } }
    var writes: Int { self.counts.withLock { $0.writes } }

    func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.check()
        self.counts.withLock { $0.writes += 1 }
        return try self.inner.transaction(work)
    }

    func read<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.check()
        self.counts.withLock { $0.reads += 1 }
        return try self.inner.transaction(work)
    }

    func ping() throws(StoreError) {}

    private func check() throws(StoreError) {
        if self.failing.withLock({ $0 }) { throw StoreError(.unavailable, "connection refused") }
    }
}
