/// What a workload's OIDC ID token may do: the grants for tokens whose claims match every pattern
/// of the rule.
public struct WorkloadRule: Equatable, Sendable {
    /// The claims to match, by name; a token must have each of them, with a matching value.
    public let claims: [String: ClaimPattern]
    /// The grants a matching token gets.
    public let grants: [Grant]

    /// Creates a rule.
    public init(claims: [String: ClaimPattern], grants: [Grant]) {
        self.claims = claims
        self.grants = grants
    }

    /// Whether a token with these claims matches.
    public func matches(_ values: [String: String]) -> Bool {
        self.claims.allMatch(values)
    }

    /// The union of the grants of every rule in `rules` that `values` match; none when none does.
    public static func grants(for values: [String: String], under rules: [WorkloadRule]) -> [Grant] {
        rules.filter { $0.matches(values) }.flatMap(\.grants)
    }
}
