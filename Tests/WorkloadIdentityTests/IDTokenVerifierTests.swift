import Application
import Crypto
import Domain
import Foundation
import HTTPTestSupport
import Logging
import Testing

@testable import WorkloadIdentity

/// What a token gets while its issuer's keys cannot be fetched.
private let keysDown = "the issuer's keys cannot be fetched now"

@Suite struct IDTokenVerifierTests {
    static let rsaKey = Result { try TestKey.rsa("rsa-1") }
    static let rotatedKey = Result { try TestKey.rsa("rsa-2") }
    static let ecKey = TestKey.p256("ec-1")

    static let rules = [
        WorkloadRule(
            claims: ["repository": ClaimPattern("acme/infra"), "ref": ClaimPattern("refs/heads/main")],
            grants: [Grant(prefix: "acme/prod", access: .write)]),
        WorkloadRule(
            claims: ["repository": ClaimPattern("acme/*")],
            grants: [Grant(prefix: "acme/dev", access: .write), Grant(prefix: "acme", access: .read)]),
    ]

    /// The claims of a GitHub Actions job on acme/infra's main branch, valid for five minutes.
    func claims(_ issuer: String, _ clock: ManualClock, _ changes: [String: Any] = [:]) -> [String: Any] {
        [
            "iss": issuer, "aud": "statehouse", "sub": "repo:acme/infra:ref:refs/heads/main",
            "repository": "acme/infra", "ref": "refs/heads/main", "run_number": 42, "ref_protected": true,
            "exp": clock.seconds + 300, "iat": clock.seconds, "nbf": clock.seconds - 5,
        ].merging(changes) { $1 }
    }

    func verifier(
        _ issuer: String, _ clock: ManualClock, jwksFile: String? = nil, rules: [WorkloadRule] = Self.rules
    ) async throws -> IDTokenVerifier {
        let caFile = try IssuerServer.certificates.get().caCertificate
        return try await offPool {
            try IDTokenVerifier(
                issuers: [
                    OIDCIssuer(issuer: issuer, audience: "statehouse", jwksFile: jwksFile, caFile: caFile, rules: rules)
                ],
                clock: clock, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
    }

    func check(_ verifier: IDTokenVerifier, _ token: String) async throws -> CredentialCheck {
        try await offPool { verifier.verify(secret: token) }
    }

    @Test func acceptsRS256AndES256TokensWithTheIssuersDiscoveredKeys() async throws {
        let rsa = try Self.rsaKey.get()
        let issuer = try IssuerServer(keys: [rsa, Self.ecKey])
        let clock = ManualClock()
        let verifier = try await self.verifier(issuer.url, clock)
        for key in [rsa, Self.ecKey] {
            let check = try await self.check(
                verifier, try TokenMaker.token(key, claims: self.claims(issuer.url, clock)))
            guard case .accepted(let principal) = check else {
                Issue.record("\(key.algorithm) token refused: \(check)")
                continue
            }
            #expect(principal.name == "oidc:127.0.0.1:repo:acme/infra:ref:refs/heads/main")
            #expect(
                principal.grants == [
                    Grant(prefix: "acme/prod", access: .write), Grant(prefix: "acme/dev", access: .write),
                    Grant(prefix: "acme", access: .read),
                ])
            guard case .workload(let tokenIssuer, let claims) = principal.identity else {
                Issue.record("not a workload: \(principal.identity)")
                continue
            }
            #expect(tokenIssuer == issuer.url)
            #expect(claims["repository"] == "acme/infra")
            #expect(claims["run_number"] == "42")
            #expect(claims["ref_protected"] == "true")
        }
        #expect(issuer.keyFetches == 1)
    }

    @Test func refusesForgedMisdirectedAndStaleTokens() async throws {
        let rsa = try Self.rsaKey.get()
        let issuer = try IssuerServer(keys: [rsa, Self.ecKey])
        let clock = ManualClock()
        let verifier = try await self.verifier(issuer.url, clock)
        let good = try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock))
        #expect(try await self.check(verifier, good) != .rejected)
        let refused: [(String, String)] = [
            ("wrong audience", try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock, ["aud": "other"]))),
            (
                "audience list without ours",
                try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock, ["aud": ["a", "b"]]))
            ),
            (
                "wrong issuer",
                try TokenMaker.token(rsa, claims: self.claims("https://token.actions.githubusercontent.com", clock))
            ),
            (
                "expired past the leeway",
                try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock, ["exp": clock.seconds - 61]))
            ),
            (
                "not yet valid past the leeway",
                try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock, ["nbf": clock.seconds + 61]))
            ),
            ("no exp", try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock).filter { $0.key != "exp" })),
            ("no sub", try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock).filter { $0.key != "sub" })),
            ("alg none", try TokenMaker.unsigned(kid: rsa.kid, claims: self.claims(issuer.url, clock))),
            (
                "HS256 signed with the RSA public key",
                try TokenMaker.hmac(kid: rsa.kid, claims: self.claims(issuer.url, clock), secret: rsa.publicPEM)
            ),
            (
                "RS256 header on the EC key",
                try TokenMaker.token(Self.ecKey, claims: self.claims(issuer.url, clock), header: ["alg": "RS256"])
            ),
            (
                "tampered payload",
                try TokenMaker.tampered(good, claims: self.claims(issuer.url, clock, ["repository": "acme/*"]))
            ),
            (
                "signed by a key the issuer does not have, under its kid",
                try TokenMaker.token(
                    TestKey(kid: rsa.kid, material: try Self.rotatedKey.get().material),
                    claims: self.claims(issuer.url, clock))
            ),
            ("not a JWT", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"),
        ]
        for (reason, token) in refused {
            #expect(try await self.check(verifier, token) == .rejected, "\(reason)")
        }
        let withinLeeway = try TokenMaker.token(
            rsa, claims: self.claims(issuer.url, clock, ["exp": clock.seconds - 59, "nbf": clock.seconds + 59]))
        #expect(try await self.check(verifier, withinLeeway) != .rejected)
    }

    @Test func anUnknownKidFetchesTheKeysAgainAtMostOnceAMinute() async throws {
        let rsa = try Self.rsaKey.get()
        let rotated = try Self.rotatedKey.get()
        let issuer = try IssuerServer(keys: [rsa])
        let clock = ManualClock()
        let verifier = try await self.verifier(issuer.url, clock)
        let old = try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock))
        #expect(try await self.check(verifier, old) != .rejected)
        #expect(issuer.keyFetches == 1)

        try issuer.publish([rotated])
        let new = try TokenMaker.token(rotated, claims: self.claims(issuer.url, clock))
        clock.advance(seconds: 30)
        #expect(try await self.check(verifier, new) == .rejected, "keys fetched 30 s ago are not fetched again")
        #expect(issuer.keyFetches == 1)

        clock.advance(seconds: 31)
        #expect(try await self.check(verifier, new) != .rejected, "a minute later the unknown kid fetches the new keys")
        #expect(issuer.keyFetches == 2)

        let unknown = try TokenMaker.token(
            TestKey(kid: "rsa-3", material: rotated.material), claims: self.claims(issuer.url, clock))
        for _ in 0..<3 { #expect(try await self.check(verifier, unknown) == .rejected) }
        #expect(issuer.keyFetches == 2)
    }

    @Test func anUnreachableIssuerIsUnavailableAndTriedAgainAMinuteLater() async throws {
        let rsa = try Self.rsaKey.get()
        // The issuer's port, closed: it was listening a moment ago.
        let port = try { try IssuerServer(keys: [rsa]).port }()
        let url = "https://127.0.0.1:\(port)"
        let clock = ManualClock()
        let verifier = try await self.verifier(url, clock)
        try await offPool { verifier.prefetch() }
        let token = try TokenMaker.token(rsa, claims: self.claims(url, clock))
        #expect(try await self.check(verifier, token) == .unavailable(keysDown))

        let issuer = try IssuerServer(keys: [rsa], port: port)
        clock.advance(seconds: 59)
        #expect(try await self.check(verifier, token) == .unavailable(keysDown), "not tried again within a minute")
        #expect(issuer.keyFetches == 0)
        clock.advance(seconds: 2)
        #expect(try await self.check(verifier, token) != .rejected)
        #expect(issuer.keyFetches == 1)
    }

    @Test func aDiscoveryDocumentForAnotherIssuerIsNotTrusted() async throws {
        let rsa = try Self.rsaKey.get()
        let issuer = try IssuerServer(keys: [rsa], claimedIssuer: "https://evil.example")
        let clock = ManualClock()
        let verifier = try await self.verifier(issuer.url, clock)
        #expect(
            try await self.check(verifier, try TokenMaker.token(rsa, claims: self.claims(issuer.url, clock)))
                == .unavailable(keysDown))
        #expect(issuer.keyFetches == 0)
    }

    @Test func readsTheKeysFromAJWKSFile() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        let file = directory + "/jwks.json"
        try jwksJSON([Self.ecKey]).write(toFile: file, atomically: true, encoding: .utf8)
        let clock = ManualClock()
        let issuer = "https://kubernetes.default.svc"
        let verifier = try await self.verifier(issuer, clock, jwksFile: file)
        let token = try TokenMaker.token(Self.ecKey, claims: self.claims(issuer, clock))
        #expect(try await self.check(verifier, token) != .rejected)

        try "{}".write(toFile: directory + "/empty.json", atomically: true, encoding: .utf8)
        await #expect(throws: KeyFetchError.self) {
            try await self.verifier(issuer, clock, jwksFile: directory + "/empty.json")
        }
        await #expect(throws: KeyFetchError.self) {
            try await self.verifier(issuer, clock, jwksFile: directory + "/none")
        }
    }

    @Test func grantsAreTheUnionOfTheMatchingRules() async throws {
        let issuer = "https://gitlab.example.com"
        let directory = try TestEnvironment.temporaryDirectory()
        try jwksJSON([Self.ecKey]).write(toFile: directory + "/jwks.json", atomically: true, encoding: .utf8)
        let clock = ManualClock()
        let verifier = try await self.verifier(issuer, clock, jwksFile: directory + "/jwks.json")
        func grants(_ changes: [String: Any]) async throws -> [Grant]? {
            let check = try await self.check(
                verifier, try TokenMaker.token(Self.ecKey, claims: self.claims(issuer, clock, changes)))
            guard case .accepted(let principal) = check else { return nil }
            return principal.grants
        }
        let dev = [Grant(prefix: "acme/dev", access: .write), Grant(prefix: "acme", access: .read)]
        #expect(try await grants([:]) == [Grant(prefix: "acme/prod", access: .write)] + dev)
        #expect(try await grants(["ref": "refs/heads/feature"]) == dev, "the exact rule needs ref = main")
        #expect(try await grants(["repository": "acme/web", "ref": "refs/heads/main"]) == dev)
        #expect(try await grants(["repository": "acme"]) == [], "acme/* needs the slash")
        #expect(try await grants(["repository": "other/infra"]) == [], "a valid token that no rule matches")
        #expect(try await grants(["repository": 7]) == [])
    }

    @Test func rememberVerifiedTokensUntilTheyExpire() async throws {
        let issuer = "https://ci.example.com"
        let directory = try TestEnvironment.temporaryDirectory()
        let file = directory + "/jwks.json"
        try jwksJSON([Self.ecKey]).write(toFile: file, atomically: true, encoding: .utf8)
        let clock = ManualClock()
        let verifier = try await self.verifier(issuer, clock, jwksFile: file)
        let token = try TokenMaker.token(Self.ecKey, claims: self.claims(issuer, clock, ["exp": clock.seconds + 100]))
        let first = try await self.check(verifier, token)
        #expect(first != .rejected)
        // The key file changes to another key, which a token with its kid makes the verifier read:
        // new tokens of the old key are refused, the remembered one stays valid until its exp and
        // the leeway.
        let rsa = try Self.rsaKey.get()
        try jwksJSON([rsa]).write(toFile: file, atomically: true, encoding: .utf8)
        clock.advance(seconds: 61)
        #expect(
            try await self.check(verifier, try TokenMaker.token(rsa, claims: self.claims(issuer, clock))) != .rejected)
        #expect(
            try await self.check(verifier, try TokenMaker.token(Self.ecKey, claims: self.claims(issuer, clock)))
                == .rejected)
        #expect(try await self.check(verifier, token) == first)
        clock.advance(seconds: 100)
        #expect(try await self.check(verifier, token) == .rejected)
    }

    @Test func theCacheHoldsAtMostItsCapacity() {
        let cache = VerifiedTokens(capacity: 2)
        let now = Timestamp(microseconds: 1_000_000)
        let later = Timestamp(microseconds: 9_000_000)
        let digests = (0..<3).map { SHA256.hash(data: [UInt8($0)]) }
        cache.remember(Principal(name: "a", grants: []), for: digests[0], expires: now, now: now)
        cache.remember(Principal(name: "b", grants: []), for: digests[1], expires: later, now: now)
        cache.remember(Principal(name: "c", grants: []), for: digests[2], expires: later, now: now)
        #expect(cache.count == 2)
        #expect(cache.principal(for: digests[0], now: now) == nil, "the expired one went first")
        #expect(cache.principal(for: digests[2], now: now)?.name == "c")
        let full = VerifiedTokens(capacity: 8)
        for index in 0..<9 {
            full.remember(
                Principal(name: "\(index)", grants: []), for: SHA256.hash(data: [UInt8(index), 1]), expires: later,
                now: now)
        }
        #expect(full.count == 7, "full of live tokens: down to three quarters, then the new one")
        #expect(full.principal(for: SHA256.hash(data: [8, 1]), now: now)?.name == "8")
        // Full, and more than a quarter of it expired: the expired ones go, and nothing else.
        let stale = VerifiedTokens(capacity: 8)
        for index in 0..<8 {
            stale.remember(
                Principal(name: "\(index)", grants: []), for: SHA256.hash(data: [UInt8(index), 2]),
                expires: index < 3 ? now : later, now: now)
        }
        stale.remember(
            Principal(name: "new", grants: []), for: SHA256.hash(data: [9, 2]), expires: later,
            now: Timestamp(microseconds: 5_000_000))
        #expect(stale.count == 6)
        #expect(stale.principal(for: SHA256.hash(data: [7, 2]), now: now)?.name == "7")
    }
}
