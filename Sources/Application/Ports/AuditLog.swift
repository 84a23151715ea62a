import Domain

/// The audit trail: one event for each change, written in the transaction that makes it.
public protocol AuditLog {
    /// Records `event` (its `id` is ignored; the store numbers events in commit order).
    func append(_ event: AuditEvent) throws

    /// A page of events, oldest first.
    func events(_ query: AuditQuery) throws -> [AuditEvent]
}
