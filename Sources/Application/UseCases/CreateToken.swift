import Domain

/// Creates an API token for the calling user, with grants within the user's own.
public struct CreateToken: Sendable {
    /// A token just created, with the secret that is shown this once.
    public struct Created: Equatable, Sendable {
        /// The stored record.
        public let token: StoredToken
        /// The secret: a bearer token's (`sht_…`, the store keeps only its SHA-256), or an S3 key's
        /// secret access key.
        public let secret: String

        /// An S3 key's access key id (`SHAK…`).
        public var accessKeyID: String? { self.token.s3?.accessKeyID }
        /// An S3 key's secret access key.
        public var secretAccessKey: String? { self.token.s3 == nil ? nil : self.secret }
    }

    /// The longest token name, in bytes.
    static let maxNameBytes = 64
    /// Live tokens a user may have at once.
    public static let maxLiveTokens = 100

    private let store: any UnitOfWork
    private let clock: any WallClock
    private let policy: TokenPolicy

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock, policy: TokenPolicy) {
        self.store = store
        self.clock = clock
        self.policy = policy
    }

    /// A token named `name` with `grants`, living `expiresIn` (`30d`, `12h`; the policy's default
    /// when `nil`); with `s3`, an S3 key (an access key id and a secret access key that sign
    /// requests to the S3 endpoint, and are never a bearer token). Only a user may create one, and
    /// only with grants within the user's own.
    public func execute(name: String, grants: [Grant], expiresIn: String?, s3: Bool = false, as caller: Caller)
        throws(ApplicationError) -> Created
    {
        let principal = caller.principal
        try principal.requireUser(to: "create tokens")
        try Self.validate(name: name)
        guard !grants.isEmpty else {
            throw ApplicationError(.invalidInput, "a token needs at least one grant, such as {\"team/app\": \"write\"}")
        }
        for grant in grants {
            try Self.validate(prefix: grant.prefix)
            guard principal.grants.contains(where: { $0.includes(grant) }) else {
                throw ApplicationError(
                    .forbidden,
                    "\(principal.name) may not give a token \(grant.access) on \(grant.prefix): no grant of "
                        + "\(principal.name)'s covers it")
            }
        }
        let lifetime = try self.lifetime(expiresIn)
        let now = self.clock.now()
        let secret = s3 ? S3Secret.generate() : TokenSecret.generate()
        let token = StoredToken(
            id: TokenSecret.newID(), name: name, owner: principal.name, grants: grants,
            secretHash: TokenSecret.hash(secret), createdAt: now,
            expiresAt: Timestamp(microseconds: now.microseconds + lifetime),
            s3: s3 ? S3KeyMaterial(accessKeyID: S3Secret.newAccessKeyID(), secret: secret) : nil)
        try ApplicationError.translating {
            try self.store.transaction { transaction in
                // One unrevoked token per owner and name (the store's index keeps it so): a live
                // one is a conflict, an expired one is retired so the name can be used again.
                let existing = try transaction.tokens.unrevokedTokens(owner: principal.name)
                guard existing.filter({ $0.isLive(at: now) }).count < Self.maxLiveTokens else {
                    throw ApplicationError(
                        .conflict,
                        "\(principal.name) already has \(Self.maxLiveTokens) live tokens, the most a user may have; "
                            + "revoke some first")
                }
                if let same = existing.first(where: { $0.name == name }) {
                    guard !same.isLive(at: now) else {
                        throw ApplicationError(
                            .conflict,
                            "\(principal.name) already has a token named \(name) (\(same.id)); revoke it or "
                                + "choose another name")
                    }
                    try transaction.tokens.revoke(id: same.id, at: now)
                }
                try transaction.tokens.insert(token)
                try transaction.audit.append(
                    caller.tokenEvent(
                        .createToken, at: now,
                        detail: "\(token.id) \(token.principalName)"
                            + (token.s3.map { " S3 key \($0.accessKeyID)" } ?? "")
                            + " grants \(Self.describe(grants)) expires "
                            + "\(token.expiresAt)"))
            }
        }
        return Created(token: token, secret: secret)
    }

    /// `team/app=write, *=read`.
    static func describe(_ grants: [Grant]) -> String {
        grants.map { "\($0.prefix)=\($0.access)" }.joined(separator: ", ")
    }

    private func lifetime(_ text: String?) throws(ApplicationError) -> Int64 {
        guard let text else { return self.policy.defaultLifetime }
        let lifetime: Int64
        do {
            lifetime = try Timestamp.parseDuration(text)
        } catch {
            throw ApplicationError(.invalidInput, "expires_in: \(error.description)")
        }
        guard lifetime > 0 else { throw ApplicationError(.invalidInput, "expires_in must be longer than 0") }
        guard lifetime <= self.policy.maxLifetime else {
            throw ApplicationError(
                .invalidInput,
                "expires_in may be at most \(self.policy.maxLifetime / 86_400_000_000) days "
                    + "(\(self.policy.maxLifetime / 1_000_000) seconds) on this server")
        }
        return lifetime
    }

    /// 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
    private static func validate(name: String) throws(ApplicationError) {
        let valid =
            (1...Self.maxNameBytes).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
        guard valid else {
            throw ApplicationError(
                .invalidInput, "a token name is 1 to \(Self.maxNameBytes) letters, digits, '.', '_' or '-'")
        }
    }

    /// `*` or a state name prefix (a trailing `/` allowed).
    private static func validate(prefix: String) throws(ApplicationError) {
        do {
            try Grant.validate(prefix: prefix)
        } catch {
            throw ApplicationError(.invalidInput, "grant \"\(prefix)\" is not \"*\" or a state name prefix: \(error)")
        }
    }
}
