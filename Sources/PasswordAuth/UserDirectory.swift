import Application
import Crypto
import Dispatch
import Domain
import Synchronization
import SystemSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The users from the configuration, checked with their PBKDF2 hashes.
///
/// Terraform sends Basic credentials with every request, and one PBKDF2 verification takes a
/// few hundred milliseconds by design. After a successful verification the directory remembers
/// an HMAC of the password under a key that lives only in this process, and later requests are
/// checked against that in constant time; a wrong password always pays the full PBKDF2 price.
/// Full verifications run at most half the cores at a time, so a flood of bad logins slows
/// logins down instead of taking every core from the requests of users already verified.
public final class UserDirectory: CredentialVerifier, Sendable {
    /// A configured user.
    public struct User: Sendable {
        /// The login name.
        public let name: String
        /// The PHC-format PBKDF2 hash; `nil` for a user who only logs in with a certificate.
        public let passwordHash: String?
        /// The common name of the client certificate that logs in as this user, if any.
        public let certificateCommonName: String?
        /// What the user may do.
        public let grants: [Grant]

        /// Creates a user.
        public init(name: String, passwordHash: String?, certificateCommonName: String? = nil, grants: [Grant]) {
            self.name = name
            self.passwordHash = passwordHash
            self.certificateCommonName = certificateCommonName
            self.grants = grants
        }
    }

    private struct Entry: Sendable {
        let principal: Principal
        let hash: PasswordHash.Parsed?
    }

    private let users: [String: Entry]
    private let byCertificate: [String: Principal]
    private let cacheKey = SymmetricKey(size: .bits256)
    private let verified = Mutex<[String: [UInt8]]>([:])
    /// Verified for unknown user names, so their timing matches a wrong password.
    private let decoy: PasswordHash.Parsed
    private let verifying: DispatchSemaphore
    /// How long a login waits for a verification slot before it is answered "busy".
    private let slotWait: Duration
    private let fullVerifications = Atomic<Int>(0)

    /// How many full PBKDF2 verifications have run (for tests and metrics).
    public var fullVerificationCount: Int { self.fullVerifications.load(ordering: .relaxed) }

    /// A directory of `users`; throws naming the user whose hash cannot be used. Full
    /// verifications run `verificationSlots` at a time (default: half the cores), and a login
    /// waits at most `slotWait` for a slot.
    public init(users: [User], verificationSlots: Int? = nil, slotWait: Duration = .seconds(10))
        throws(UserDirectoryError)
    {
        self.verifying = DispatchSemaphore(
            value: verificationSlots ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) / 2))
        self.slotWait = slotWait
        var entries: [String: Entry] = [:]
        var byCertificate: [String: Principal] = [:]
        for user in users {
            let principal = Principal(name: user.name, grants: user.grants)
            do {
                let parsed = try user.passwordHash.map { (hash) throws(PasswordHash.FormatError) in
                    try PasswordHash.parse(hash)
                }
                entries[user.name] = Entry(principal: principal, hash: parsed)
            } catch {
                throw UserDirectoryError(user: user.name, problem: error.description)
            }
            if let commonName = user.certificateCommonName {
                guard byCertificate[commonName] == nil else {
                    throw UserDirectoryError(user: user.name, problem: "certificate_cn \(commonName) is used twice")
                }
                byCertificate[commonName] = principal
            }
        }
        self.users = entries
        self.byCertificate = byCertificate
        let iterations = entries.values.compactMap(\.hash?.iterations).max() ?? PasswordHash.defaultIterations
        self.decoy = PasswordHash.Parsed(
            iterations: iterations, salt: [UInt8](repeating: 0, count: 16), hash: [UInt8](repeating: 0, count: 32))
    }

    /// Whether `password` is right for `username`.
    public func verify(username: String, password: String) -> CredentialCheck {
        guard let entry = self.users[username], let hash = entry.hash else {
            return self.fullyVerify(password, against: self.decoy) == nil ? .busy : .rejected
        }
        if let principal = self.remembered(username: username, password: password) {
            return .accepted(principal)
        }
        switch self.fullyVerify(password, against: hash) {
        case nil:
            return .busy
        case false:
            return .rejected
        case true:
            let fingerprint = self.fingerprint(password)
            self.verified.withLock { $0[username] = fingerprint }
            return .accepted(entry.principal)
        }
    }

    /// The user, when `password` is the one last verified for `username` in this process: an
    /// HMAC compared in constant time, no PBKDF2.
    public func remembered(username: String, password: String) -> Principal? {
        guard let entry = self.users[username], let known = self.verified.withLock({ $0[username] }),
            constantTimeEqual(known, self.fingerprint(password))
        else { return nil }
        return entry.principal
    }

    private func fingerprint(_ password: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(password.utf8), using: self.cacheKey))
    }

    /// The user whose `certificate_cn` is `commonName` (the TLS layer has verified the chain).
    public func verify(certificateCommonName commonName: String) -> Principal? {
        self.byCertificate[commonName]
    }

    /// The configured user `name`, however they log in.
    public func principal(named name: String) -> Principal? {
        self.users[name]?.principal
    }

    /// A full PBKDF2 verification, or `nil` when no slot freed up in time.
    private func fullyVerify(_ password: String, against hash: PasswordHash.Parsed) -> Bool? {
        guard self.verifying.wait(timeout: self.slotWait.fromNow) == .success else { return nil }
        defer { self.verifying.signal() }
        self.fullVerifications.add(1, ordering: .relaxed)
        return PasswordHash.verify(password: password, against: hash)
    }
}

/// A configured user whose password hash cannot be used.
public struct UserDirectoryError: Error, Sendable, CustomStringConvertible {
    /// The user.
    public let user: String
    /// What is wrong.
    public let problem: String

    /// `user alice: malformed $pbkdf2-sha256$ hash`.
    public var description: String { "user \(self.user): \(self.problem)" }
}
