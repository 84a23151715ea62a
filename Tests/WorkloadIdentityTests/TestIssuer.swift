import Application
import Crypto
import CryptoExtras
import Domain
import Foundation
import HTTPServer
import HTTPTestSupport
import Logging
import Synchronization
import SystemSupport

/// A signing key of the test issuer: RSA (RS256) or P-256 (ES256).
struct TestKey: Sendable {
    enum Material: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
    }

    let kid: String
    let material: Material

    static func rsa(_ kid: String) throws -> TestKey {
        TestKey(kid: kid, material: .rsa(try .init(keySize: .bits2048)))
    }
    static func p256(_ kid: String) -> TestKey { TestKey(kid: kid, material: .p256(P256.Signing.PrivateKey())) }

    var algorithm: String {
        switch self.material {
        case .rsa: "RS256"
        case .p256: "ES256"
        }
    }

    /// The public key as a JWK; the EC key without `alg`, so the verifier derives it from the curve.
    func jwk() throws -> [String: Any] {
        switch self.material {
        case .rsa(let key):
            let primitives = try key.publicKey.getKeyPrimitives()
            return [
                "kty": "RSA", "kid": self.kid, "alg": "RS256", "use": "sig",
                "n": base64URL(primitives.modulus), "e": base64URL(primitives.publicExponent),
            ]
        case .p256(let key):
            let raw = key.publicKey.rawRepresentation
            return [
                "kty": "EC", "kid": self.kid, "crv": "P-256", "use": "sig",
                "x": base64URL(raw.prefix(32)), "y": base64URL(raw.suffix(32)),
            ]
        }
    }

    /// The RSA public key as PEM: what an attacker would use as an HMAC secret.
    var publicPEM: String {
        guard case .rsa(let key) = self.material else { return "" }
        return key.publicKey.pemRepresentation
    }

    func sign(_ input: [UInt8]) throws -> [UInt8] {
        switch self.material {
        case .rsa(let key):
            Array(try key.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
        case .p256(let key): Array(try key.signature(for: input).rawRepresentation)
        }
    }
}

/// Makes ID tokens like a CI platform's.
enum TokenMaker {
    /// A signed token: `header` (merged over `alg` and `kid` of `key`) and `claims` as given.
    static func token(_ key: TestKey, claims: [String: Any], header: [String: Any] = [:]) throws -> String {
        let fullHeader = ["alg": key.algorithm, "kid": key.kid, "typ": "JWT"].merging(header) { $1 }
        let input = try self.encode(fullHeader) + "." + self.encode(claims)
        return input + "." + base64URL(Data(try key.sign(Array(input.utf8))))
    }

    /// An unsigned token with `alg: none`.
    static func unsigned(kid: String, claims: [String: Any]) throws -> String {
        try self.encode(["alg": "none", "kid": kid]) + "." + self.encode(claims) + "."
    }

    /// A token signed with HMAC-SHA256 whose secret is `secret` (the issuer's public key PEM in the
    /// classic algorithm confusion attack).
    static func hmac(kid: String, claims: [String: Any], secret: String) throws -> String {
        let input = try self.encode(["alg": "HS256", "kid": kid]) + "." + self.encode(claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return input + "." + base64URL(Data(mac))
    }

    /// `token` with its payload replaced by `claims`, the signature kept.
    static func tampered(_ token: String, claims: [String: Any]) throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return "\(parts[0]).\(try self.encode(claims)).\(parts[2])"
    }

    static func encode(_ object: [String: Any]) throws -> String {
        base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}

func base64URL(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// A JWKS document for `keys`.
func jwksJSON(_ keys: [TestKey]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: ["keys": try keys.map { try $0.jwk() }]), as: UTF8.self)
}

/// The test's OIDC issuer on loopback over HTTPS: its discovery document and its key set, which a
/// test can change (key rotation); counts the requests for each.
final class IssuerServer: Sendable {
    static let certificates = Result { try TestCertificates.make() }

    private final class State: Sendable {
        let jwks: Mutex<String>
        let url = Mutex("")
        let requests = Mutex<[String: Int]>([:])
        init(jwks: String) { self.jwks = Mutex(jwks) }
    }

    private let server: HTTPServer
    private let state: State
    /// `https://127.0.0.1:<port>`.
    let url: String
    /// The port it listens on.
    var port: Int { self.server.addresses[0].port }

    /// Serves `keys` on `port` (0: any); the discovery document names `claimedIssuer` (default: the
    /// server's URL).
    init(keys: [TestKey], port: Int = 0, claimedIssuer: String? = nil) throws {
        let certificates = try IssuerServer.certificates.get()
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.tls = TLSConfiguration(
            certificateChainFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey,
            clientCAFile: nil, clientAuthentication: .none)
        let state = State(jwks: try jwksJSON(keys))
        self.state = state
        self.server = try HTTPServer(
            configuration: configuration,
            responder: ClosureResponder { request in
                state.requests.withLock { $0[request.path, default: 0] += 1 }
                let url = state.url.withLock { $0 }
                switch request.path {
                case "/.well-known/openid-configuration":
                    let document = #"{"issuer":"\#(claimedIssuer ?? url)","jwks_uri":"\#(url)/keys"}"#
                    return Response(
                        status: .ok, headers: ["Content-Type": "application/json"], body: Array(document.utf8))
                case "/keys":
                    return Response(
                        status: .ok, headers: ["Content-Type": "application/json"],
                        body: Array(state.jwks.withLock { $0 }.utf8))
                default:
                    return Response(status: .notFound)
                }
            },
            logger: Logger(label: "issuer", factory: { _ in SwiftLogNoOpLogHandler() }), metrics: nil)
        try self.server.start()
        self.url = "https://127.0.0.1:\(self.server.addresses[0].port)"
        state.url.withLock { $0 = self.url }
    }

    deinit { self.server.shutdown(drainTimeout: .seconds(5)) }

    /// Publishes `keys` instead (a key rotation).
    func publish(_ keys: [TestKey]) throws {
        let json = try jwksJSON(keys)
        self.state.jwks.withLock { $0 = json }
    }

    /// How many times the key set was fetched.
    var keyFetches: Int { self.state.requests.withLock { $0["/keys", default: 0] } }
}

/// A wall clock the test sets.
final class ManualClock: WallClock {
    private let time: Mutex<Timestamp>

    init(_ seconds: Int64 = 1_800_000_000) { self.time = Mutex(Timestamp(microseconds: seconds * 1_000_000)) }

    func now() -> Timestamp { self.time.withLock { $0 } }

    /// Now, in whole seconds since the epoch, as tokens carry times.
    var seconds: Int64 { self.now().microseconds / 1_000_000 }

    func advance(seconds: Int64) {
        self.time.withLock { $0 = Timestamp(microseconds: $0.microseconds + seconds * 1_000_000) }
    }
}

/// Runs `body` on a thread of its own, outside Swift's concurrency pool, and awaits its result: the
/// verifier blocks its thread while jwt-kit's actor builds keys, which a pool thread must never do.
func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        do {
            try ThreadSpawner.spawn(stackSize: 1 << 20) { continuation.resume(with: Result { try body() }) }
        } catch {
            continuation.resume(throwing: error)
        }
    }
}
