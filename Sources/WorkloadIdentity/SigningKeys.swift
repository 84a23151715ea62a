internal import Dispatch
internal import JWTKit
internal import Synchronization

#if canImport(FoundationEssentials)
    internal import FoundationEssentials
#else
    internal import Foundation
#endif

/// An issuer's public keys by `kid`, each bound to the one algorithm it verifies.
struct SigningKeys: Sendable {
    /// A key and its algorithm.
    struct Key: Sendable {
        /// `RS256`, `ES256` …
        let algorithm: String
        /// jwt-kit's verifier for the key (synchronous, safe from any thread).
        let verifier: any JWTAlgorithm
    }

    /// The asymmetric algorithms accepted; never `none` or an HMAC (whose "key" would be public).
    static let algorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    ]

    /// The keys by `kid`.
    let byID: [String: Key]

    /// No keys.
    static let none = SigningKeys(byID: [:])

    private init(byID: [String: Key]) { self.byID = byID }

    /// The keys of a JSON Web Key Set that have a `kid` and an accepted algorithm (their `alg`, or
    /// RS256 for RSA and ES256/384/512 by curve); others are left out. Fails when none is usable.
    static func parse(jwks bytes: [UInt8]) throws(KeyFetchError) -> SigningKeys {
        let set: KeySet
        do {
            set = try JSONDecoder().decode(KeySet.self, from: Data(bytes))
        } catch {
            throw KeyFetchError("not a JSON Web Key Set: \(error)")
        }
        let candidates = set.keys.compactMap(\.key).compactMap { jwk -> (kid: String, jwk: JWK, algorithm: String)? in
            guard let kid = jwk.keyIdentifier?.string, let algorithm = SigningKeys.algorithm(of: jwk),
                SigningKeys.algorithms.contains(algorithm)
            else { return nil }
            return (kid, jwk, algorithm)
        }
        // jwt-kit builds verifiers only inside its key collection, an actor; they are plain
        // synchronous values once built, so this is the only place that waits for async code.
        let keys = waitFor { () async -> [String: Key] in
            var keys: [String: Key] = [:]
            for candidate in candidates {
                // A collection per key: an unknown kid must never fall back to another key.
                let collection = JWTKeyCollection()
                guard (try? await collection.add(jwk: candidate.jwk)) != nil,
                    let verifier = try? await collection.getKey(
                        for: JWKIdentifier(string: candidate.kid), alg: candidate.algorithm),
                    verifier.name == candidate.algorithm
                else { continue }
                keys[candidate.kid] = Key(algorithm: candidate.algorithm, verifier: verifier)
            }
            return keys
        }
        guard !keys.isEmpty else {
            throw KeyFetchError(
                "no usable signing key (RSA or EC keys with a kid, for \(SigningKeys.algorithms.sorted().joined(separator: ", ")))"
            )
        }
        return SigningKeys(byID: keys)
    }

    /// The key's `alg`, or the one its type and curve imply.
    private static func algorithm(of jwk: JWK) -> String? {
        if let algorithm = jwk.algorithm { return algorithm.rawValue }
        if jwk.keyType == .rsa { return "RS256" }
        guard jwk.keyType == .ecdsa else { return nil }
        switch jwk.curve?.rawValue {
        case "P-256": return "ES256"
        case "P-384": return "ES384"
        case "P-521": return "ES512"
        default: return nil
        }
    }

    /// A key set whose keys jwt-kit cannot read (another `kty`) are left out rather than failing it.
    private struct KeySet: Decodable {
        struct Entry: Decodable {
            let key: JWK?
            init(from decoder: any Decoder) throws { self.key = try? JWK(from: decoder) }
        }

        let keys: [Entry]
    }
}

/// Runs `operation` on Swift's concurrency pool and blocks this thread until it ends. Only for
/// threads outside the pool (the server's workers, the key prefetch thread), and only for work
/// that never waits for I/O.
func waitFor<Value: Sendable>(_ operation: @escaping @Sendable () async -> Value) -> Value {
    let outcome = Outcome<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await operation()
        outcome.value.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return outcome.value.withLock { $0! }
}

/// The value an awaited task hands back to a waiting thread.
private final class Outcome<Value: Sendable>: Sendable {
    let value = Mutex<Value?>(nil)
}
