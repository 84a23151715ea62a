import Domain
import Logging
internal import Synchronization
internal import SystemSupport

/// One issuer's signing keys: read from its `jwks_file`, or discovered over HTTPS (its
/// `/.well-known/openid-configuration`, then the `jwks_uri` it names), and fetched again when a
/// token names a `kid` they lack, at most once per `refreshInterval`.
final class IssuerKeys: Sendable {
    /// What a lookup found.
    enum Lookup {
        /// The key.
        case key(SigningKeys.Key)
        /// The keys are current and none has this `kid`.
        case unknown
        /// The keys could not be had lately (the reason); worth retrying later.
        case unavailable(String)
    }

    private enum Source {
        case file(String)
        case discovery(HTTPSGetter)
    }

    private struct State {
        var keys: SigningKeys
        /// When the keys were last read or fetched, successfully or not.
        var lastAttempt: Timestamp?
        /// Why the last attempt failed, or `nil` when it succeeded.
        var failure: String?
    }

    let issuer: OIDCIssuer
    private let source: Source
    private let refreshInterval: Int64
    private let logger: Logger
    private let state: Mutex<State>
    /// Held while fetching, so concurrent tokens with a new `kid` cause one fetch.
    private let fetching = Mutex<Void>(())

    /// Keys for `issuer`; a `jwks_file` is read now (an error stops startup), discovered keys are
    /// fetched on first use or by ``refresh(now:)``.
    init(issuer: OIDCIssuer, refreshInterval: Duration, logger: Logger, now: Timestamp) throws(KeyFetchError) {
        self.issuer = issuer
        self.refreshInterval = refreshInterval.microseconds
        self.logger = logger
        if let file = issuer.jwksFile {
            self.source = .file(file)
            let keys = try IssuerKeys.read(file)
            self.state = Mutex(State(keys: keys, lastAttempt: now, failure: nil))
        } else {
            self.source = .discovery(try HTTPSGetter(caFile: issuer.caFile))
            self.state = Mutex(State(keys: .none, lastAttempt: nil, failure: nil))
        }
    }

    /// The key `kid`, fetching the keys again first if they lack it and were not fetched within
    /// the refresh interval.
    func key(_ kid: String, now: Timestamp) -> Lookup {
        if let key = self.state.withLock({ $0.keys.byID[kid] }) { return .key(key) }
        return self.fetching.withLock { _ in
            // Another thread may have fetched them while this one waited.
            let (key, due, failure) = self.state.withLock { state in
                (
                    state.keys.byID[kid],
                    state.lastAttempt.map { now.microseconds - $0.microseconds >= self.refreshInterval } ?? true,
                    state.failure
                )
            }
            if let key { return .key(key) }
            guard due else { return failure.map(Lookup.unavailable) ?? .unknown }
            self.fetch(now: now)
            return self.state.withLock { state in
                if let key = state.keys.byID[kid] { return .key(key) }
                return state.failure.map(Lookup.unavailable) ?? .unknown
            }
        }
    }

    /// Fetches the keys if they never were (the prefetch at startup).
    func prefetch(now: Timestamp) {
        self.fetching.withLock { _ in
            if self.state.withLock({ $0.lastAttempt == nil }) { self.fetch(now: now) }
        }
    }

    /// Reads or fetches the keys; on failure keeps the old ones and logs a warning. Runs with `fetching` held.
    private func fetch(now: Timestamp) {
        let result: Result<SigningKeys, KeyFetchError>
        switch self.source {
        case .file(let path):
            result = Result { () throws(KeyFetchError) in try IssuerKeys.read(path) }
        case .discovery(let getter):
            result = Result { () throws(KeyFetchError) in try self.discover(with: getter) }
        }
        switch result {
        case .success(let keys):
            self.state.withLock { $0 = State(keys: keys, lastAttempt: now, failure: nil) }
            self.logger.info(
                "OIDC issuer keys loaded",
                metadata: [
                    "oidc.issuer": .string(self.issuer.issuer),
                    "oidc.kids": .string(keys.byID.keys.sorted().joined(separator: ",")),
                ])
        case .failure(let error):
            self.state.withLock { state in
                state.lastAttempt = now
                state.failure = error.description
            }
            self.logger.warning(
                "cannot get the OIDC issuer's keys; its tokens are refused until a later try succeeds",
                metadata: ["oidc.issuer": .string(self.issuer.issuer), "error": .string(error.description)])
        }
    }

    /// The discovery document, then the key set it names.
    private func discover(with getter: HTTPSGetter) throws(KeyFetchError) -> SigningKeys {
        let base = self.issuer.issuer.hasSuffix("/") ? String(self.issuer.issuer.dropLast()) : self.issuer.issuer
        let location = try HTTPSLocation(base + "/.well-known/openid-configuration")
        let document: JSONValue
        do {
            document = try JSONValue(parsing: try getter.get(location))
        } catch let error as KeyFetchError {
            throw error
        } catch {
            throw KeyFetchError("\(location): \(error)")
        }
        guard document["issuer"]?.stringValue == self.issuer.issuer else {
            throw KeyFetchError("\(location) is not the discovery document of issuer \(self.issuer.issuer)")
        }
        guard let jwksURI = document["jwks_uri"]?.stringValue else {
            throw KeyFetchError("\(location) names no jwks_uri")
        }
        return try SigningKeys.parse(jwks: try getter.get(try HTTPSLocation(jwksURI)))
    }

    private static func read(_ path: String) throws(KeyFetchError) -> SigningKeys {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readAll(path)
        } catch {
            throw KeyFetchError("cannot read \(path): \(error)")
        }
        do {
            return try SigningKeys.parse(jwks: bytes)
        } catch {
            throw KeyFetchError("\(path): \(error.description)")
        }
    }
}
