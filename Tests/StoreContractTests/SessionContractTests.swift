import Application
import Domain
import HTTPTestSupport
import Logging
import PasswordAuth
import Testing

/// A workload's OIDC ID token (anything starting `eyJ`): accepted, as a workload.
private struct WorkloadTokens: SecretVerifier {
    let loginKind = LoginKind.oidc
    func recognizes(_ secret: String) -> Bool { secret.hasPrefix("eyJ") }
    func verify(secret: String) -> CredentialCheck {
        .accepted(
            Principal(
                name: "oidc:ci.example:repo", grants: [Grant(prefix: "*", access: .admin)],
                identity: .workload(issuer: "https://ci.example", claims: [:])))
    }
}

/// Web UI sessions on every store: signed in through the authenticator, stored by the SHA-256 of
/// their secret alone, resumed with the principal looked up again, ended, expired, capped.
@Suite struct SessionContractTests {
    static let alicePassword = "pw-alice-1"
    static let aliceHash = PasswordHash.make(password: alicePassword, iterations: 1000)
    static let readTeam = [Grant(prefix: "team", access: .read)]
    static let alice = UserDirectory.User(
        name: "alice", passwordHash: aliceHash, certificateCommonName: "alice-laptop", grants: readTeam)
    static let noLog = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The authenticator a server configured with `users` would have over `f`'s store.
    func authenticator(_ f: Fixture, _ users: [UserDirectory.User] = [alice], throttle: LoginThrottle? = nil)
        throws -> Authenticator
    {
        let grants = Dictionary(users.map { ($0.name, $0.grants) }, uniquingKeysWith: { first, _ in first })
        return Authenticator(
            passwords: try UserDirectory(users: users),
            tokens: TokenVerifier(store: f.store, clock: f.clock, ownerGrants: { grants[$0] }),
            secrets: [WorkloadTokens()], throttle: throttle)
    }

    func start(_ f: Fixture, _ authenticator: Authenticator, policy: SessionPolicy = .standard) -> StartSession {
        StartSession(store: f.store, authenticator: authenticator, clock: f.clock, policy: policy, logger: Self.noLog)
    }

    func resume(_ f: Fixture, _ authenticator: Authenticator) -> ResumeSession {
        ResumeSession(store: f.store, authenticator: authenticator, clock: f.clock)
    }

    /// Signs in; the secret and session, or `nil` (recorded as an issue) when it did not start.
    func signIn(
        _ f: Fixture, _ credentials: PresentedCredentials, with authenticator: Authenticator,
        policy: SessionPolicy = .standard, sourceLocation: SourceLocation = #_sourceLocation
    ) -> (secret: String, session: WebSession)? {
        let outcome = self.start(f, authenticator, policy: policy).execute(
            credentials, from: "192.0.2.1", requestID: "req-1")
        guard case .started(let secret, let session) = outcome else {
            Issue.record("not started: \(outcome)", sourceLocation: sourceLocation)
            return nil
        }
        return (secret, session)
    }

    func session(_ secret: String, at: Timestamp, expires: Timestamp, _ holder: StoredSession.Holder)
        -> StoredSession
    {
        StoredSession(
            secretHash: SessionSecret.hash(secret), holder: holder, createdAt: at, expiresAt: expires,
            address: "2001:db8::1")
    }

    @Test(arguments: StoreKind.available)
    func sessionsAreFoundByTheirSecretsHashListedByHolderAndRemoved(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let t = { (seconds: Int64) in Timestamp(microseconds: 1_795_000_000_000_000 + seconds * 1_000_000) }
        let secrets = (0..<5).map { _ in SessionSecret.generate() }
        let sessions = [
            self.session(secrets[0], at: t(2), expires: t(100), .user(name: "alice")),
            self.session(secrets[1], at: t(1), expires: t(10), .user(name: "alice")),
            self.session(secrets[2], at: t(1), expires: t(10), .token(id: "tok_a", owner: "alice")),
            self.session(secrets[3], at: t(3), expires: t(10), .token(id: "tok_a", owner: "alice")),
            StoredSession(
                secretHash: SessionSecret.hash(secrets[4]), holder: .user(name: "bob"), createdAt: t(1),
                expiresAt: t(20), address: nil),
        ]
        try f.store.transaction { transaction in
            for session in sessions { try transaction.sessions.insert(session) }
        }
        #expect(throws: (any Error).self) { try f.store.transaction { try $0.sessions.insert(sessions[0]) } }
        for session in sessions {
            #expect(try f.store.read { try $0.sessions.session(secretHash: session.secretHash) } == session)
        }
        #expect(try f.store.read { try $0.sessions.session(secretHash: TokenSecret.hash("none")) } == nil)
        #expect(try f.store.read { try $0.sessions.sessions(of: .user(name: "alice")) } == [sessions[1], sessions[0]])
        #expect(
            try f.store.read { try $0.sessions.sessions(of: .token(id: "tok_a", owner: "alice")) } == [
                sessions[2], sessions[3],
            ])
        #expect(try f.store.read { try $0.sessions.sessions(of: .user(name: "tok_a")) } == [])

        #expect(try f.store.transaction { try $0.sessions.delete(secretHash: sessions[0].secretHash) } == sessions[0])
        #expect(try f.store.transaction { try $0.sessions.delete(secretHash: sessions[0].secretHash) } == nil)
        #expect(try f.store.transaction { try $0.sessions.deleteSessions(ofToken: "tok_a") } == 2)
        #expect(try f.store.transaction { try $0.sessions.deleteSessions(ofToken: "tok_a") } == 0)
        #expect(try f.store.read { try $0.sessions.sessions(of: .token(id: "tok_a", owner: "alice")) } == [])

        // Expired: at or before the time given; at most `limit` at a time.
        #expect(try f.store.transaction { try $0.sessions.deleteExpired(at: t(9), limit: 10) } == 0)
        #expect(try f.store.transaction { try $0.sessions.deleteExpired(at: t(20), limit: 1) } == 1)
        #expect(try f.store.transaction { try $0.sessions.deleteExpired(at: t(20), limit: 10) } == 1)
        #expect(try f.store.read { try $0.sessions.session(secretHash: sessions[1].secretHash) } == nil)
        #expect(try f.store.read { try $0.sessions.session(secretHash: sessions[4].secretHash) } == nil)
    }

    @Test(arguments: StoreKind.available)
    func aUserSignsInWithAPasswordOrACertificateAndATokenWithItsSecret(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let authenticator = try self.authenticator(f)
        let ci = Caller(Principal(name: "alice", grants: Self.readTeam))
        let token = try CreateToken(store: f.store, clock: f.clock, policy: .standard).execute(
            name: "ui", grants: [Grant(prefix: "team/app", access: .read)], expiresIn: "30d", as: ci)

        let signIns: [(PresentedCredentials, String, StoredSession.Holder)] = [
            (.basic(username: "alice", password: Self.alicePassword), "alice", .user(name: "alice")),
            (.certificate(commonName: "alice-laptop"), "alice", .user(name: "alice")),
            (
                .basic(username: "token", password: token.secret), "token:alice/ui",
                .token(id: token.token.id, owner: "alice")
            ),
            (
                .basic(username: "anyone", password: token.secret), "token:alice/ui",
                .token(id: token.token.id, owner: "alice")
            ),
            (.bearer(token.secret), "token:alice/ui", .token(id: token.token.id, owner: "alice")),
        ]
        for (credentials, principal, holder) in signIns {
            guard let (secret, session) = self.signIn(f, credentials, with: authenticator) else { continue }
            #expect(secret.hasPrefix("shs_") && SessionSecret.isWellFormed(secret))
            #expect(session.principal.name == principal)
            #expect(session.expiresAt.microseconds == f.clock.now().microseconds + 8 * 3_600_000_000)
            #expect(try self.resume(f, authenticator).execute(secret: secret) == session)
            let stored = try #require(
                try f.store.read { try $0.sessions.session(secretHash: SessionSecret.hash(secret)) })
            #expect(stored.holder == holder && stored.address == "192.0.2.1" && stored.createdAt == f.clock.now())
        }
        #expect(try f.store.read { try $0.sessions.sessions(of: .user(name: "alice")) }.count == 2)
        #expect(
            try f.store.read { try $0.sessions.sessions(of: .token(id: token.token.id, owner: "alice")) }.count == 3)
    }

    @Test(arguments: StoreKind.available)
    func wrongCredentialsAndWorkloadsAreRejectedAndFailuresThrottled(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let throttle = LoginThrottle(policy: .init(freeFailures: 1), clock: f.clock, logger: Self.noLog)
        let start = self.start(f, try self.authenticator(f, throttle: throttle))
        let execute = { (credentials: PresentedCredentials) in
            start.execute(credentials, from: "192.0.2.7", requestID: nil)
        }
        #expect(
            execute(.basic(username: "ci", password: "eyJhbGciOi.x.y")) == .rejected, "an ID token is not for people")
        #expect(execute(.bearer("eyJhbGciOi.x.y")) == .rejected)
        #expect(execute(.certificate(commonName: "mallory")) == .rejected)
        #expect(execute(.bearer(TokenSecret.generate())) == .rejected)
        #expect(execute(.basic(username: "alice", password: "wrong")) == .throttled(retryAfter: 1))
        #expect(try f.store.read { try $0.sessions.sessions(of: .user(name: "alice")) } == [])
        // From a clean address, alice still gets in.
        let clean = start.execute(
            .basic(username: "alice", password: Self.alicePassword), from: "192.0.2.8", requestID: nil)
        guard case .started = clean else {
            Issue.record("not started: \(clean)")
            return
        }
    }

    @Test(arguments: StoreKind.available)
    func resumingLooksTheUserUpAgain(kind: StoreKind) throws {
        let f = try Fixture(kind)
        guard
            let (secret, session) = self.signIn(
                f, .certificate(commonName: "alice-laptop"), with: try self.authenticator(f))
        else { return }
        #expect(session.principal.grants == Self.readTeam)
        // The configuration changes (a restart): alice may write now, bob is new.
        let write = [Grant(prefix: "team", access: .write)]
        let bob = UserDirectory.User(name: "bob", passwordHash: nil, grants: [])
        let changed = UserDirectory.User(name: "alice", passwordHash: Self.aliceHash, grants: write)
        let resumed = try self.resume(f, try self.authenticator(f, [changed, bob])).execute(secret: secret)
        #expect(resumed?.principal.grants == write)
        #expect(resumed?.csrfToken == session.csrfToken && resumed?.expiresAt == session.expiresAt)
        // alice is removed.
        #expect(try self.resume(f, try self.authenticator(f, [bob])).execute(secret: secret) == nil)
    }

    @Test(arguments: StoreKind.available)
    func aTokensSessionEndsWithTheTokenAndItsGrantsFollowTheOwners(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let authenticator = try self.authenticator(f)
        let ci = Caller(Principal(name: "alice", grants: Self.readTeam))
        let create = CreateToken(store: f.store, clock: f.clock, policy: .standard)
        let short = try create.execute(name: "short", grants: Self.readTeam, expiresIn: "1h", as: ci)
        let long = try create.execute(name: "long", grants: Self.readTeam, expiresIn: "30d", as: ci)

        guard let (shortSecret, shortSession) = self.signIn(f, .bearer(short.secret), with: authenticator),
            let (longSecret, _) = self.signIn(f, .bearer(long.secret), with: authenticator),
            let (otherSecret, _) = self.signIn(f, .bearer(long.secret), with: authenticator)
        else { return }
        #expect(shortSession.expiresAt == short.token.expiresAt, "never past the token's own expiry")
        // The owner's grants shrink: the token's are capped by them at once.
        let narrower = UserDirectory.User(
            name: "alice", passwordHash: nil, grants: [Grant(prefix: "team/app", access: .read)])
        let resumed = try self.resume(f, try self.authenticator(f, [narrower])).execute(secret: longSecret)
        #expect(resumed?.principal.grants == [Grant(prefix: "team/app", access: .read)])
        #expect(resumed?.principal.identity == .token(id: long.token.id, owner: "alice"))

        // Revoked: its sessions end, their rows gone in the same transaction.
        _ = try RevokeToken(store: f.store, clock: f.clock).execute(id: long.token.id, as: ci)
        #expect(try self.resume(f, authenticator).execute(secret: longSecret) == nil)
        #expect(try self.resume(f, authenticator).execute(secret: otherSecret) == nil)
        #expect(try f.store.read { try $0.sessions.sessions(of: .token(id: long.token.id, owner: "alice")) } == [])
        #expect(
            self.start(f, authenticator).execute(.bearer(long.secret), from: "192.0.2.1", requestID: nil) == .rejected)

        // Expired: the session's end is the token's.
        f.clock.advance(seconds: 3599)
        #expect(try self.resume(f, authenticator).execute(secret: shortSecret) != nil)
        f.clock.advance(seconds: 1)
        #expect(try self.resume(f, authenticator).execute(secret: shortSecret) == nil)
    }

    @Test(arguments: StoreKind.available)
    func sessionsExpireByTheClockAndTheSweepRemovesThem(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let authenticator = try self.authenticator(f)
        let policy = SessionPolicy(lifetime: .seconds(600), maxPerPrincipal: 20)
        guard
            let (first, _) = self.signIn(
                f, .certificate(commonName: "alice-laptop"), with: authenticator, policy: policy)
        else { return }
        f.clock.advance(seconds: 300)
        guard
            let (second, _) = self.signIn(
                f, .certificate(commonName: "alice-laptop"), with: authenticator, policy: policy)
        else { return }
        f.clock.advance(seconds: 299)
        #expect(try self.resume(f, authenticator).execute(secret: first) != nil)
        f.clock.advance(seconds: 1)
        #expect(try self.resume(f, authenticator).execute(secret: first) == nil)
        #expect(try self.resume(f, authenticator).execute(secret: second) != nil)

        let sweep = ExpireSessions(store: f.store, clock: f.clock)
        #expect(try sweep.execute() == 1)
        #expect(try sweep.execute() == 0)
        #expect(try f.store.read { try $0.sessions.sessions(of: .user(name: "alice")) }.count == 1)
        #expect(try sweep.execute(while: { false }) == 0)
    }

    @Test(arguments: StoreKind.available)
    func endingASessionIsIdempotentAndLeavesTheOthers(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let authenticator = try self.authenticator(f)
        guard let (first, _) = self.signIn(f, .certificate(commonName: "alice-laptop"), with: authenticator),
            let (second, _) = self.signIn(f, .certificate(commonName: "alice-laptop"), with: authenticator)
        else { return }
        let end = EndSession(store: f.store, logger: Self.noLog)
        try end.execute(secret: first)
        #expect(try self.resume(f, authenticator).execute(secret: first) == nil)
        try end.execute(secret: first)
        try end.execute(secret: "not a secret")
        try end.execute(secret: SessionSecret.generate())
        #expect(try self.resume(f, authenticator).execute(secret: second) != nil)
        #expect(
            try self.resume(f, authenticator).execute(secret: "shs_" + String(second.dropFirst(4).reversed())) == nil)
    }

    @Test(arguments: StoreKind.available)
    func signingInPastTheLimitEndsThePrincipalsOldestSession(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let authenticator = try self.authenticator(f)
        let policy = SessionPolicy(lifetime: .seconds(3600), maxPerPrincipal: 3)
        let ci = Caller(Principal(name: "alice", grants: Self.readTeam))
        let token = try CreateToken(store: f.store, clock: f.clock, policy: .standard).execute(
            name: "ui", grants: Self.readTeam, expiresIn: nil, as: ci)
        guard let (tokenSecret, _) = self.signIn(f, .bearer(token.secret), with: authenticator, policy: policy)
        else { return }
        var secrets: [String] = []
        for _ in 0..<5 {
            f.clock.advance(seconds: 1)
            guard
                let (secret, _) = self.signIn(
                    f, .certificate(commonName: "alice-laptop"), with: authenticator, policy: policy)
            else { return }
            secrets.append(secret)
        }
        let resume = self.resume(f, authenticator)
        #expect(try secrets.map { try resume.execute(secret: $0) != nil } == [false, false, true, true, true])
        #expect(try resume.execute(secret: tokenSecret) != nil, "the token's session is another principal's")
    }

    @Test(arguments: StoreKind.available)
    func theCSRFTokenIsBoundToTheSessionsSecret(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let authenticator = try self.authenticator(f)
        guard let (first, one) = self.signIn(f, .certificate(commonName: "alice-laptop"), with: authenticator),
            let (_, two) = self.signIn(f, .certificate(commonName: "alice-laptop"), with: authenticator)
        else { return }
        #expect(one.csrfToken == SessionSecret.csrfToken(for: first) && one.csrfToken.utf8.count == 64)
        #expect(one.acceptsCSRF(one.csrfToken))
        #expect(!one.acceptsCSRF(two.csrfToken), "another session's token")
        #expect(!two.acceptsCSRF(one.csrfToken))
        #expect(!one.acceptsCSRF(""))
        #expect(!one.acceptsCSRF(String(one.csrfToken.dropLast())))
        #expect(!one.acceptsCSRF(one.csrfToken.uppercased()))
        #expect(try self.resume(f, authenticator).execute(secret: first)?.csrfToken == one.csrfToken)
    }

    @Test func theSQLiteFileHoldsNoSecretNorCSRFToken() throws {
        let f = try Fixture(.sqlite)
        let authenticator = try self.authenticator(f)
        guard
            let (secret, session) = self.signIn(
                f, .basic(username: "alice", password: Self.alicePassword), with: authenticator)
        else { return }
        let file = try #require(f.sqliteFile)
        let disk = try ByteScan.fileBytes(file) + ByteScan.fileBytes(file + "-wal")
        #expect(ByteScan.contains(disk, SessionSecret.hash(secret)), "the scan finds what is stored")
        #expect(!ByteScan.contains(disk, Array(secret.utf8)))
        #expect(!ByteScan.contains(disk, Array(secret.utf8.dropFirst(4).prefix(20))))
        #expect(!ByteScan.contains(disk, Array(session.csrfToken.utf8)))
        #expect(!ByteScan.contains(disk, Array("team".utf8)), "no grants")
    }
}
