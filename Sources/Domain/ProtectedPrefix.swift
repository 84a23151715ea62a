/// States under a prefix that only some principals may change or lock, whatever the grants of
/// the others; everyone keeps what their grants give them to read and to force-unlock.
public struct ProtectedPrefix: Equatable, Sendable, CustomStringConvertible {
    /// Who may change the states: a principal by name, or a workload by its issuer and claims.
    public enum Pattern: Equatable, Sendable, CustomStringConvertible {
        /// A principal whose name is exactly this (a user, or `token:<owner>/<name>`).
        case principal(String)
        /// An OIDC principal of this issuer whose claims match every one of these.
        case workload(issuer: String, claims: [String: ClaimPattern])

        /// Whether `principal` matches.
        public func matches(_ principal: Principal) -> Bool {
            switch self {
            case .principal(let name):
                return principal.name == name
            case .workload(let issuer, let claims):
                guard case .workload(let actual, let values) = principal.identity, actual == issuer else {
                    return false
                }
                return claims.allMatch(values)
            }
        }

        /// `release-bot`, or `OIDC tokens of https://issuer with ref=refs/heads/main`.
        public var description: String {
            switch self {
            case .principal(let name):
                return name
            case .workload(let issuer, let claims):
                let matching = claims.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                return "OIDC tokens of \(issuer)"
                    + (matching.isEmpty ? "" : " with " + matching.joined(separator: ", "))
            }
        }
    }

    /// `*`, or a state name prefix matched on segment boundaries like a grant's.
    public let prefix: String
    /// The principals that may change the states under it.
    public let allowed: [Pattern]

    /// Creates a rule.
    public init(prefix: String, allowed: [Pattern]) {
        self.prefix = prefix
        self.allowed = allowed
    }

    /// Whether `name` is under the prefix.
    public func covers(_ name: StateName) -> Bool {
        Grant(prefix: self.prefix, access: .read).covers(name)
    }

    /// Whether `principal` may change the states under the prefix.
    public func admits(_ principal: Principal) -> Bool {
        self.allowed.contains { $0.matches(principal) }
    }

    /// `protected prefix "acme/prod" (only OIDC tokens of … with ref=refs/heads/main may change or lock it)`.
    public var description: String {
        let who = self.allowed.isEmpty ? "no one" : "only " + self.allowed.map(\.description).joined(separator: "; or ")
        return "protected prefix \"\(self.prefix)\" (\(who) may change or lock states under it)"
    }
}

/// A claim value to match: exact, or with a trailing `*` any value that starts with what precedes it.
public struct ClaimPattern: Equatable, Sendable, CustomStringConvertible {
    /// The pattern as configured.
    public let text: String

    /// Creates a pattern.
    public init(_ text: String) { self.text = text }

    /// Whether `value` matches.
    public func matches(_ value: String) -> Bool {
        guard self.text.hasSuffix("*") else { return value == self.text }
        return value.hasPrefix(self.text.dropLast())
    }

    /// The pattern as configured.
    public var description: String { self.text }
}

extension [String: ClaimPattern] {
    /// Whether `values` has every one of these claims, each matching its pattern.
    public func allMatch(_ values: [String: String]) -> Bool {
        self.allSatisfy { name, pattern in values[name].map(pattern.matches) ?? false }
    }
}
