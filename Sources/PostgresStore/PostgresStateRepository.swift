import Application
import Domain

/// The repository bound to one open transaction. All SQL uses bound parameters.
struct PostgresStateRepository: StateRepository {
    let connection: PostgresConnection

    func stateForUpdate(named name: StateName) throws -> StoredState? {
        // Lock the state row alone. Joining the latest version into this statement would be
        // wrong: when the lock waits for another writer, PostgreSQL re-checks only the updated
        // states row and the join would come back without the version just written.
        let result = try self.connection.query(
            """
            SELECT id, name, created_at, lock_info, locked_at, locked_by, latest_version
            FROM states WHERE name = $1 AND deleted_at IS NULL
            FOR UPDATE
            """, [.text(name.rawValue)])
        guard result.rowCount == 1 else { return nil }
        let id = result.int64(0, 0)
        let latestNumber = result.int64(0, 6)
        var latest: VersionRecord? = nil
        if latestNumber > 0 {
            let version = try self.connection.query(
                """
                SELECT number, serial, lineage, size, sha256, md5, created_at, created_by, lock_id
                FROM state_versions WHERE state_id = $1 AND number = $2
                """, [.int64(id), .int64(latestNumber)])
            guard version.rowCount == 1 else {
                throw StoreError(.fault, "version \(latestNumber) of \(name) is missing")
            }
            latest = self.version(version, 0, from: 0)
        }
        return StoredState(
            id: id, name: try self.name(result.text(0, 1)), createdAt: result.timestamp(0, 2),
            lock: try self.lock(result, 0, name: name), latest: latest)
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

    func currentVersion(named name: StateName) throws -> (stateID: Int64, version: VersionRecord)? {
        let result = try self.connection.query(
            """
            SELECT v.number, v.serial, v.lineage, v.size, v.sha256, v.md5, v.created_at, v.created_by, v.lock_id,
                   s.id
            FROM states s JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
            WHERE s.name = $1 AND s.deleted_at IS NULL
            """, [.text(name.rawValue)])
        guard result.rowCount == 1 else { return nil }
        return (result.int64(0, 9), self.version(result, 0, from: 0))
    }

    func versions(of state: StoredState) throws -> [VersionRecord] {
        let result = try self.connection.query(
            """
            SELECT number, serial, lineage, size, sha256, md5, created_at, created_by, lock_id
            FROM state_versions WHERE state_id = $1 ORDER BY number
            """, [.int64(state.id)])
        return (0..<result.rowCount).map { self.version(result, $0, from: 0) }
    }

    func content(stateID: Int64, version number: Int64) throws -> [UInt8]? {
        let result = try self.connection.query(
            "SELECT content FROM state_versions WHERE state_id = $1 AND number = $2",
            [.int64(stateID), .int64(number)])
        guard result.rowCount == 1, !result.isNull(0, 0) else { return nil }
        return result.bytes(0, 0)
    }

    func setLock(_ lock: StoredLock?, on state: StoredState) throws {
        try self.connection.query(
            "UPDATE states SET lock_id = $2, lock_info = $3, locked_at = $4, locked_by = $5 WHERE id = $1",
            [
                .int64(state.id),
                lock.map { .text($0.info.id) } ?? .null,
                lock.map { .bytea($0.info.json) } ?? .null,
                lock.map { .timestamp($0.acquiredAt) } ?? .null,
                lock.map { .text($0.acquiredBy) } ?? .null,
            ])
    }

    func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord {
        let number = (state.latest?.number ?? 0) + 1
        try self.connection.query(
            """
            WITH inserted AS (
                INSERT INTO state_versions
                    (state_id, number, serial, lineage, size, sha256, md5, content, created_at, created_by, lock_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                RETURNING number
            )
            UPDATE states SET latest_version = (SELECT number FROM inserted) WHERE id = $1
            """,
            [
                .int64(state.id), .int64(number), .int64(version.serial), .text(version.lineage),
                .int64(version.blob.size), .bytea(version.blob.sha256), .bytea(version.blob.md5),
                .bytea(version.blob.gzip), .timestamp(version.createdAt), .text(version.createdBy),
                version.lockID.map { .text($0) } ?? .null,
            ])
        return VersionRecord(
            number: number, serial: version.serial, lineage: version.lineage, size: version.blob.size,
            sha256: version.blob.sha256, md5: version.blob.md5, createdAt: version.createdAt,
            createdBy: version.createdBy, lockID: version.lockID)
    }

    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
        try self.connection.query(
            "UPDATE states SET deleted_at = $2, deleted_by = $3 WHERE id = $1",
            [.int64(state.id), .timestamp(time), .text(principal)])
    }

    func allStates() throws -> [StateEntry] {
        let result = try self.connection.query(
            """
            SELECT s.id, s.name, s.created_at, s.lock_info, s.locked_at, s.locked_by, s.deleted_at, s.deleted_by,
                   s.latest_version,
                   v.number, v.serial, v.lineage, v.size, v.sha256, v.md5, v.created_at, v.created_by, v.lock_id
            FROM states s LEFT JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
            ORDER BY s.id
            """)
        return try (0..<result.rowCount).map { row in
            let name = try self.name(result.text(row, 1))
            let state = StoredState(
                id: result.int64(row, 0), name: name, createdAt: result.timestamp(row, 2),
                lock: try self.lock(result, row, name: name),
                latest: result.isNull(row, 9) ? nil : self.version(result, row, from: 9))
            return StateEntry(
                state: state, deletedAt: result.isNull(row, 6) ? nil : result.timestamp(row, 6),
                deletedBy: result.optionalText(row, 7))
        }
    }

    func insertState(_ entry: StateEntry) throws -> Int64 {
        let lock = entry.state.lock
        let result = try self.connection.query(
            """
            INSERT INTO states
                (name, created_at, lock_id, lock_info, locked_at, locked_by, deleted_at, deleted_by, latest_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """,
            [
                .text(entry.state.name.rawValue), .timestamp(entry.state.createdAt),
                lock.map { .text($0.info.id) } ?? .null, lock.map { .bytea($0.info.json) } ?? .null,
                lock.map { .timestamp($0.acquiredAt) } ?? .null, lock.map { .text($0.acquiredBy) } ?? .null,
                entry.deletedAt.map { .timestamp($0) } ?? .null, entry.deletedBy.map { .text($0) } ?? .null,
                .int64(entry.state.latest?.number ?? 0),
            ])
        return result.int64(0, 0)
    }

    func insertVersion(_ record: VersionRecord, gzip: [UInt8], stateID: Int64) throws {
        try self.connection.query(
            """
            INSERT INTO state_versions
                (state_id, number, serial, lineage, size, sha256, md5, content, created_at, created_by, lock_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """,
            [
                .int64(stateID), .int64(record.number), .int64(record.serial), .text(record.lineage),
                .int64(record.size), .bytea(record.sha256), .bytea(record.md5), .bytea(gzip),
                .timestamp(record.createdAt), .text(record.createdBy), record.lockID.map { .text($0) } ?? .null,
            ])
    }

    // MARK: - Rows

    private func name(_ text: String) throws -> StateName {
        do {
            return try StateName(text)
        } catch {
            throw StoreError(.fault, "stored state name is invalid: \(error)")
        }
    }

    /// The lock from columns 3 (lock_info), 4 (locked_at) and 5 (locked_by), if any.
    private func lock(_ result: PostgresResult, _ row: Int, name: StateName) throws -> StoredLock? {
        guard !result.isNull(row, 3) else { return nil }
        do {
            return StoredLock(
                info: try LockInfo(json: result.bytes(row, 3)), acquiredAt: result.timestamp(row, 4),
                acquiredBy: result.text(row, 5))
        } catch {
            throw StoreError(.fault, "stored lock of \(name) is invalid: \(error)")
        }
    }

    /// A version record from nine columns starting at `first`: number, serial, lineage, size,
    /// sha256, md5, created_at, created_by, lock_id.
    private func version(_ result: PostgresResult, _ row: Int, from first: Int) -> VersionRecord {
        VersionRecord(
            number: result.int64(row, first), serial: result.int64(row, first + 1),
            lineage: result.text(row, first + 2), size: result.int64(row, first + 3),
            sha256: result.bytes(row, first + 4), md5: result.bytes(row, first + 5),
            createdAt: result.timestamp(row, first + 6), createdBy: result.text(row, first + 7),
            lockID: result.optionalText(row, first + 8))
    }
}
