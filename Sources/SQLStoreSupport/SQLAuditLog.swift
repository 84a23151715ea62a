import Application
import Domain

/// The audit trail in a SQL store's `audit_events` table.
struct SQLAuditLog: AuditLog {
    let connection: any SQLConnection

    func append(_ event: AuditEvent) throws {
        try self.connection.query(
            """
            INSERT INTO audit_events
                (at, action, state, version, user_name, address, request_id, lock_id, reason, detail)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, StateRows.auditValues(event))
    }

    func events(_ query: AuditQuery) throws -> [AuditEvent] {
        let start = query.after ?? (query.newestFirst ? .max : 0)
        var parameters: [SQLValue] = [.int64(start), .int64(Int64(query.limit))]
        var condition = query.newestFirst ? "id < $1" : "id > $1"
        if let state = query.state {
            parameters.append(.text(state.rawValue))
            condition += " AND state = $\(parameters.count)"
        }
        if let user = query.user {
            parameters.append(.text(user))
            condition += " AND user_name = $\(parameters.count)"
        }
        if let action = query.action {
            parameters.append(.text(action.rawValue))
            condition += " AND action = $\(parameters.count)"
        }
        if let since = query.since {
            parameters.append(.timestamp(since))
            condition += " AND at >= $\(parameters.count)"
        }
        return try self.connection.rows(
            "SELECT \(StateRows.auditColumns) FROM audit_events WHERE \(condition) "
                + "ORDER BY id\(query.newestFirst ? " DESC" : "") LIMIT $2", parameters, StateRows.auditEvent)
    }
}
