import Application
import Domain

/// Inserts states and versions into a SQL store exactly as another store recorded them.
struct SQLStateImport: StateImport {
    let connection: any SQLConnection

    func insertState(_ entry: StateEntry) throws -> Int64 {
        let ids = try self.connection.rows(
            """
            INSERT INTO states
                (name, created_at, lock_id, lock_info, locked_at, locked_by, deleted_at, deleted_by, latest_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """,
            [.text(entry.state.name.rawValue), .timestamp(entry.state.createdAt)]
                + StateRows.lockValues(entry.state.lock)
                + [
                    entry.deletedAt.sqlValue(SQLValue.timestamp), entry.deletedBy.sqlValue(SQLValue.text),
                    .int64(entry.state.latest?.number ?? 0),
                ]
        ) { $0.int64(0) }
        guard let id = ids.first else { throw StoreError(.fault, "inserting state \(entry.state.name) gave no key") }
        return id
    }

    func insertVersion(_ record: VersionRecord, gzip: [UInt8]?, of name: StateName, stateID: Int64) throws {
        try self.connection.query(
            StateRows.insertVersion, StateRows.versionValues(record, content: gzip, stateID: stateID))
    }

    func setLatest(_ number: Int64, stateID: Int64) throws {
        try self.connection.query(
            "UPDATE states SET latest_version = $1 WHERE id = $2", [.int64(number), .int64(stateID)])
    }
}
