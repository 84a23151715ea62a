import Application
import Domain

/// The protocol's state and lock port on a SQL store. All SQL uses bound parameters.
struct SQLStateRepository: StateRepository {
    let connection: any SQLConnection
    let dialect: SQLDialect

    func stateForUpdate(named name: StateName) throws -> StoredState? {
        // Lock the state row alone. Joining the latest version into this statement would be
        // wrong: when the lock waits for another writer, PostgreSQL re-checks only the updated
        // states row and the join would come back without the version just written.
        var found: (id: Int64, createdAt: Timestamp, lock: StoredLock?, latest: Int64)? = nil
        try self.connection.query(
            """
            SELECT id, created_at, lock_info, locked_at, locked_by, latest_version
            FROM states WHERE name = $1 AND deleted_at IS NULL\(self.dialect.forUpdate)
            """, [.text(name.rawValue)]
        ) { row in
            found = (row.int64(0), row.timestamp(1), try StateRows.lock(row, from: 2, of: name), row.int64(5))
        }
        guard let found else { return nil }
        var latest: VersionRecord? = nil
        if found.latest > 0 {
            latest = try SQLStateCatalog(connection: self.connection, dialect: self.dialect).version(
                stateID: found.id, number: found.latest)
            guard latest != nil else { throw StoreError(.fault, "version \(found.latest) of \(name) is missing") }
        }
        return StoredState(id: found.id, name: name, createdAt: found.createdAt, lock: found.lock, latest: latest)
    }

    func createStateForUpdate(named name: StateName, at time: Timestamp) throws -> StoredState {
        // A concurrent DELETE may remove the row between the insert and the select; then the
        // name is free again and the insert is simply repeated.
        for _ in 0..<3 {
            // If another transaction creates it first, this waits for it and inserts nothing.
            try self.connection.query(
                """
                INSERT INTO states (name, created_at) VALUES ($1, $2)
                ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING
                """, [.text(name.rawValue), .timestamp(time)])
            if let state = try self.stateForUpdate(named: name) { return state }
        }
        throw StoreError(.unavailable, "state \(name) keeps being deleted while it is created")
    }

    /// Every GET runs this: its text is made once.
    private static let selectCurrentVersion = """
        SELECT s.id, \(StateRows.aliasedVersionColumns)
        FROM states s JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
        WHERE s.name = $1 AND s.deleted_at IS NULL
        """

    func currentVersion(named name: StateName) throws -> (stateID: Int64, version: VersionRecord)? {
        try self.connection.rows(Self.selectCurrentVersion, [.text(name.rawValue)]) {
            ($0.int64(0), try StateRows.version($0, from: 1))
        }.first
    }

    func content(of name: StateName, stateID: Int64, version number: Int64) throws -> [UInt8]? {
        try self.connection.rows(
            "SELECT content FROM state_versions WHERE state_id = $1 AND number = $2", [.int64(stateID), .int64(number)]
        ) { $0.isNull(0) ? nil : $0.bytes(0) }.first ?? nil
    }

    func setLock(_ lock: StoredLock?, on state: StoredState) throws {
        try self.connection.query(
            "UPDATE states SET lock_id = $2, lock_info = $3, locked_at = $4, locked_by = $5 WHERE id = $1",
            [.int64(state.id)] + StateRows.lockValues(lock))
    }

    func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord {
        let record = version.record(number: state.nextVersionNumber)
        let values = StateRows.versionValues(record, content: version.blob.gzip, stateID: state.id)
        if self.dialect.writableCTEs {
            // One round trip: the version and the state's pointer to it.
            try self.connection.query(
                """
                WITH inserted AS (\(StateRows.insertVersion) RETURNING number)
                UPDATE states SET latest_version = (SELECT number FROM inserted) WHERE id = $1
                """, values)
        } else {
            try self.connection.query(StateRows.insertVersion, values)
            try self.connection.query(
                "UPDATE states SET latest_version = $2 WHERE id = $1", [.int64(state.id), .int64(record.number)])
        }
        return record
    }

    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
        try self.connection.query(
            "UPDATE states SET deleted_at = $2, deleted_by = $3 WHERE id = $1",
            [.int64(state.id), .timestamp(time), .text(principal)])
    }

    func restoreState(stateID: Int64) throws -> Bool {
        try !self.connection.rows(
            "UPDATE states SET deleted_at = NULL, deleted_by = NULL WHERE id = $1 AND deleted_at IS NOT NULL RETURNING id",
            [.int64(stateID)]
        ) { $0.int64(0) }.isEmpty
    }

    func purgeVersion(stateID: Int64, number: Int64, _ purge: Purge) throws {
        try self.connection.query(
            """
            UPDATE state_versions SET content = NULL, purged_at = $3, purged_by = $4, purge_reason = $5
            WHERE state_id = $1 AND number = $2
            """,
            [
                .int64(stateID), .int64(number), .timestamp(purge.at), .text(purge.by),
                purge.reason.sqlValue(SQLValue.text),
            ])
    }
}
