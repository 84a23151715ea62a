import Application
import Domain

/// The audit trail, numbered in commit order.
extension InMemoryTransaction: AuditLog {
    func append(_ event: AuditEvent) throws {
        self.contents.audit.append(event.withID(Int64(self.contents.audit.count) + 1))
    }

    func events(_ query: AuditQuery) throws -> [AuditEvent] {
        let events = query.newestFirst ? self.contents.audit.reversed() : self.contents.audit
        return Array(
            events
                .filter { event in
                    query.state.map { event.state == $0 } ?? true && query.user.map { event.user == $0 } ?? true
                        && query.action.map { event.action == $0 } ?? true && query.since.map { event.at >= $0 } ?? true
                        && query.after.map { query.newestFirst ? event.id < $0 : event.id > $0 } ?? true
                }
                .prefix(query.limit))
    }
}
