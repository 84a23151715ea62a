import Application
import Domain

/// The repository bound to one SQLite connection; inside a `BEGIN IMMEDIATE` transaction it
/// holds the database's write lock, which is stronger than PostgreSQL's row locks.
struct SQLiteStateRepository: StateRepository {
    let connection: SQLiteConnection

    func stateForUpdate(named name: StateName) throws -> StoredState? {
        var found: (id: Int64, createdAt: Timestamp, lock: StoredLock?, latest: Int64)? = nil
        try self.connection.query(
            """
            SELECT id, created_at, lock_info, locked_at, locked_by, latest_version
            FROM states WHERE name = ? AND deleted_at IS NULL
            """, [.text(name.rawValue)]
        ) { row in
            var lock: StoredLock? = nil
            if !row.isNull(2) {
                do {
                    lock = StoredLock(
                        info: try LockInfo(json: row.blob(2)), acquiredAt: row.timestamp(3), acquiredBy: row.text(4))
                } catch {
                    throw StoreError(.fault, "stored lock of \(name) is invalid: \(error)")
                }
            }
            found = (row.integer(0), row.timestamp(1), lock, row.integer(5))
        }
        guard let found else { return nil }
        var latest: VersionRecord? = nil
        if found.latest > 0 {
            latest = try self.version(stateID: found.id, number: found.latest)
            guard latest != nil else { throw StoreError(.fault, "version \(found.latest) of \(name) is missing") }
        }
        return StoredState(id: found.id, name: name, createdAt: found.createdAt, lock: found.lock, latest: latest)
    }

    func createStateForUpdate(named name: StateName, at time: Timestamp) throws -> StoredState {
        try self.connection.query(
            "INSERT INTO states (name, created_at) VALUES (?, ?) ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING",
            [.text(name.rawValue), .integer(time.microseconds)])
        guard let state = try self.stateForUpdate(named: name) else {
            throw StoreError(.fault, "state \(name) vanished right after it was created")
        }
        return state
    }

    /// The nine version columns, in the order `record(_:from:)` reads them.
    private static let versionColumns = "number, serial, lineage, size, sha256, md5, created_at, created_by, lock_id"

    private func record(_ row: SQLiteRow, from first: Int32) -> VersionRecord {
        VersionRecord(
            number: row.integer(first), serial: row.integer(first + 1), lineage: row.text(first + 2),
            size: row.integer(first + 3), sha256: row.blob(first + 4), md5: row.blob(first + 5),
            createdAt: row.timestamp(first + 6), createdBy: row.text(first + 7), lockID: row.optionalText(first + 8))
    }

    private func version(stateID: Int64, number: Int64) throws -> VersionRecord? {
        var record: VersionRecord? = nil
        try self.connection.query(
            "SELECT \(Self.versionColumns) FROM state_versions WHERE state_id = ? AND number = ?",
            [.integer(stateID), .integer(number)]
        ) { record = self.record($0, from: 0) }
        return record
    }

    func currentVersion(named name: StateName) throws -> (stateID: Int64, version: VersionRecord)? {
        var found: (Int64, VersionRecord)? = nil
        try self.connection.query(
            """
            SELECT s.id, v.number, v.serial, v.lineage, v.size, v.sha256, v.md5, v.created_at, v.created_by, v.lock_id
            FROM states s JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
            WHERE s.name = ? AND s.deleted_at IS NULL
            """, [.text(name.rawValue)]
        ) { found = ($0.integer(0), self.record($0, from: 1)) }
        return found
    }

    func versions(of state: StoredState) throws -> [VersionRecord] {
        var records: [VersionRecord] = []
        try self.connection.query(
            "SELECT \(Self.versionColumns) FROM state_versions WHERE state_id = ? ORDER BY number",
            [.integer(state.id)]
        ) { records.append(self.record($0, from: 0)) }
        return records
    }

    func content(stateID: Int64, version number: Int64) throws -> [UInt8]? {
        var content: [UInt8]? = nil
        try self.connection.query(
            "SELECT content FROM state_versions WHERE state_id = ? AND number = ?",
            [.integer(stateID), .integer(number)]
        ) { content = $0.isNull(0) ? nil : $0.blob(0) }
        return content
    }

    func setLock(_ lock: StoredLock?, on state: StoredState) throws {
        try self.connection.query(
            "UPDATE states SET lock_id = ?, lock_info = ?, locked_at = ?, locked_by = ? WHERE id = ?",
            [
                lock.map { .text($0.info.id) } ?? .null,
                lock.map { .blob($0.info.json) } ?? .null,
                lock.map { .integer($0.acquiredAt.microseconds) } ?? .null,
                lock.map { .text($0.acquiredBy) } ?? .null,
                .integer(state.id),
            ])
    }

    func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord {
        let number = (state.latest?.number ?? 0) + 1
        try self.connection.query(
            """
            INSERT INTO state_versions
                (state_id, number, serial, lineage, size, sha256, md5, created_at, created_by, lock_id, content)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(state.id), .integer(number), .integer(version.serial), .text(version.lineage),
                .integer(version.blob.size), .blob(version.blob.sha256), .blob(version.blob.md5),
                .integer(version.createdAt.microseconds), .text(version.createdBy),
                version.lockID.map { .text($0) } ?? .null, .blob(version.blob.gzip),
            ])
        try self.connection.query(
            "UPDATE states SET latest_version = ? WHERE id = ?", [.integer(number), .integer(state.id)])
        return VersionRecord(
            number: number, serial: version.serial, lineage: version.lineage, size: version.blob.size,
            sha256: version.blob.sha256, md5: version.blob.md5, createdAt: version.createdAt,
            createdBy: version.createdBy, lockID: version.lockID)
    }

    func allStates() throws -> [StateEntry] {
        var rows:
            [(
                id: Int64, name: String, createdAt: Timestamp, lock: [UInt8]?, lockedAt: Timestamp, lockedBy: String,
                deletedAt: Timestamp?, deletedBy: String?, latest: Int64
            )] = []
        try self.connection.query(
            """
            SELECT id, name, created_at, lock_info, locked_at, locked_by, deleted_at, deleted_by, latest_version
            FROM states ORDER BY id
            """
        ) { row in
            rows.append(
                (
                    row.integer(0), row.text(1), row.timestamp(2), row.isNull(3) ? nil : row.blob(3), row.timestamp(4),
                    row.text(5), row.isNull(6) ? nil : row.timestamp(6), row.optionalText(7), row.integer(8)
                ))
        }
        return try rows.map { row in
            let name: StateName
            var lock: StoredLock? = nil
            do {
                name = try StateName(row.name)
                if let json = row.lock {
                    lock = StoredLock(
                        info: try LockInfo(json: json), acquiredAt: row.lockedAt, acquiredBy: row.lockedBy)
                }
            } catch {
                throw StoreError(.fault, "stored state \(row.name) is invalid: \(error)")
            }
            let latest = row.latest > 0 ? try self.version(stateID: row.id, number: row.latest) : nil
            return StateEntry(
                state: StoredState(id: row.id, name: name, createdAt: row.createdAt, lock: lock, latest: latest),
                deletedAt: row.deletedAt, deletedBy: row.deletedBy)
        }
    }

    func insertState(_ entry: StateEntry) throws -> Int64 {
        let lock = entry.state.lock
        var id: Int64 = 0
        try self.connection.query(
            """
            INSERT INTO states
                (name, created_at, lock_id, lock_info, locked_at, locked_by, deleted_at, deleted_by, latest_version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            [
                .text(entry.state.name.rawValue), .integer(entry.state.createdAt.microseconds),
                lock.map { .text($0.info.id) } ?? .null, lock.map { .blob($0.info.json) } ?? .null,
                lock.map { .integer($0.acquiredAt.microseconds) } ?? .null, lock.map { .text($0.acquiredBy) } ?? .null,
                entry.deletedAt.map { .integer($0.microseconds) } ?? .null, entry.deletedBy.map { .text($0) } ?? .null,
                .integer(entry.state.latest?.number ?? 0),
            ]
        ) { id = $0.integer(0) }
        return id
    }

    func insertVersion(_ record: VersionRecord, gzip: [UInt8], stateID: Int64) throws {
        try self.connection.query(
            """
            INSERT INTO state_versions
                (state_id, number, serial, lineage, size, sha256, md5, created_at, created_by, lock_id, content)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(stateID), .integer(record.number), .integer(record.serial), .text(record.lineage),
                .integer(record.size), .blob(record.sha256), .blob(record.md5), .integer(record.createdAt.microseconds),
                .text(record.createdBy), record.lockID.map { .text($0) } ?? .null, .blob(gzip),
            ])
    }

    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
        try self.connection.query(
            "UPDATE states SET deleted_at = ?, deleted_by = ? WHERE id = ?",
            [.integer(time.microseconds), .text(principal), .integer(state.id)])
    }
}
