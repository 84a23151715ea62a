import Domain

/// Who asks for a use case, and from where: recorded in the audit log.
public struct Caller: Equatable, Sendable {
    /// The authenticated user.
    public let principal: Principal
    /// The client's address.
    public let address: String?
    /// The request's ID.
    public let requestID: String?

    /// Creates a caller.
    public init(_ principal: Principal, address: String? = nil, requestID: String? = nil) {
        self.principal = principal
        self.address = address
        self.requestID = requestID
    }

    /// An audit event by this caller.
    func event(
        _ action: AuditEvent.Action, on state: StateName, at time: Timestamp, version: Int64? = nil,
        lockID: String? = nil, reason: String? = nil, detail: String? = nil
    ) -> AuditEvent {
        AuditEvent(
            at: time, action: action, state: state, version: version, user: self.principal.name,
            address: self.address, requestID: self.requestID, lockID: lockID, reason: reason, detail: detail)
    }

    /// An audit event by this caller about no state (an API token).
    func tokenEvent(_ action: AuditEvent.Action, at time: Timestamp, detail: String) -> AuditEvent {
        AuditEvent(
            at: time, action: action, state: nil, user: self.principal.name, address: self.address,
            requestID: self.requestID, detail: detail)
    }
}
