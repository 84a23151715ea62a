import Application
import Domain

/// Removes history from a SQL store for good.
struct SQLHistoryPruning: HistoryPruning {
    let connection: any SQLConnection
    let dialect: SQLDialect

    func deleteVersions(stateID: Int64, numbers: [Int64]) throws {
        for number in numbers {
            try self.connection.query(
                "DELETE FROM state_versions WHERE state_id = $1 AND number = $2", [.int64(stateID), .int64(number)])
        }
    }

    func expungeState(stateID: Int64, deletedBefore cutoff: Timestamp) throws -> Bool {
        // Lock the row first: a restore racing this sweep either commits before (and the
        // condition fails) or waits until the state is gone.
        let doomed = try self.connection.rows(
            """
            SELECT id FROM states WHERE id = $1 AND deleted_at IS NOT NULL AND deleted_at < $2\(self.dialect.forUpdate)
            """, [.int64(stateID), .timestamp(cutoff)]
        ) { $0.int64(0) }
        guard !doomed.isEmpty else { return false }
        try self.connection.query("DELETE FROM state_versions WHERE state_id = $1", [.int64(stateID)])
        try self.connection.query("DELETE FROM states WHERE id = $1", [.int64(stateID)])
        return true
    }
}
