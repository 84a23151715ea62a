import Application

/// A failure reported by libpq or the server: the SQLSTATE when there is one, and the message.
struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The five-character SQLSTATE, or `nil` for client-side failures (connection lost …).
    let sqlState: String?
    /// The server's or libpq's message. It never contains the connection password.
    let message: String
    /// Whether the connection is unusable afterwards.
    let connectionBroken: Bool

    var description: String {
        if let sqlState { return "\(self.message) (SQLSTATE \(sqlState))" }
        return self.message
    }

    /// Deadlock, serialization failure, a unique violation from a concurrent insert, a prepared
    /// statement made stale by a schema change, or a write refused by a read-only server: the
    /// transaction may simply be run again (the stale statements are dropped first; the read-only
    /// connection is closed, so the next one can reach the primary).
    var isRetryable: Bool {
        guard let state = self.sqlState else { return false }
        return ["40001", "40P01", "23505", PostgresError.readOnly].contains(state)
            || PostgresConnection.stalePreparedStatement.contains(state)
    }

    /// `read_only_sql_transaction`: the server is a standby (or a primary set read-only) and
    /// refuses writes.
    static let readOnly = "25006"

    /// The application's view of this failure (translation at the edge).
    var storeError: StoreError {
        if self.connectionBroken { return StoreError(.unavailable, "database connection failed: \(self.message)") }
        switch self.sqlState {
        case let state? where state.hasPrefix("08"):
            return StoreError(.unavailable, "database connection failed: \(self.message)")
        case "53100":
            // disk_full: PostgreSQL could not extend a file. Its WAL disk filling up is a PANIC
            // instead, which ends the connection (unavailable above).
            return StoreError(.diskFull, "database disk full: \(self.message)")
        case "57P01", "57P02", "57P03", "53300", "53000", "53200":
            return StoreError(.unavailable, "database unavailable: \(self.message)")
        case PostgresError.readOnly:
            return StoreError(
                .unavailable,
                "the database is read-only (a standby, or default_transaction_read_only is on; a connection "
                    + "string with several hosts needs target_session_attrs=read-write): \(self.message)")
        case "55P03", "57014":
            return StoreError(.unavailable, "database busy: \(self.message)")
        case "40001", "40P01", "23505":
            return StoreError(.unavailable, "database contention: \(self.message)")
        default:
            return StoreError(.fault, "database error: \(self.description)")
        }
    }
}
