import Domain

/// A resumed web UI session: who (with their grants as they are now), its CSRF token, when it ends.
public struct WebSession: Sendable, Equatable {
    /// Who the session acts as, with current grants and protections.
    public let principal: Principal
    /// The token its forms must send back: derived from the session's secret.
    public let csrfToken: String
    /// When the session stops being accepted.
    public let expiresAt: Timestamp

    /// Creates a session.
    public init(principal: Principal, csrfToken: String, expiresAt: Timestamp) {
        self.principal = principal
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }

    /// Whether `presented` is this session's CSRF token, compared in constant time.
    public func acceptsCSRF(_ presented: String) -> Bool {
        let expected = Array(self.csrfToken.utf8)
        let given = Array(presented.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }
}
