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

    /// The version columns, in the order `record(_:from:)` reads them.
    private static let versionColumns = [
        "number", "serial", "lineage", "size", "sha256", "md5", "created_at", "created_by", "lock_id",
        "terraform_version", "resource_count", "output_names", "encrypted", "rollback_of", "purged_at", "purged_by",
        "purge_reason",
    ]

    /// `versionColumns` as a select list, of the table aliased `alias` if given.
    private static func columns(_ alias: String? = nil) -> String {
        let qualifier = alias.map { "\($0)." } ?? ""
        return versionColumns.map { qualifier + $0 }.joined(separator: ", ")
    }

    private func record(_ row: SQLiteRow, from first: Int32) throws -> VersionRecord {
        let metadata = StateMetadata(
            terraformVersion: row.optionalText(first + 9), resourceCount: row.optionalInteger(first + 10),
            outputNames: try StateMetadata.outputNames(fromJSON: row.text(first + 11)),
            encrypted: row.integer(first + 12) != 0)
        let purge =
            row.isNull(first + 14)
            ? nil
            : Purge(at: row.timestamp(first + 14), by: row.text(first + 15), reason: row.optionalText(first + 16))
        return VersionRecord(
            number: row.integer(first), serial: row.integer(first + 1), lineage: row.text(first + 2),
            size: row.integer(first + 3), sha256: row.blob(first + 4), md5: row.blob(first + 5),
            createdAt: row.timestamp(first + 6), createdBy: row.text(first + 7), lockID: row.optionalText(first + 8),
            metadata: metadata, rollbackOf: row.optionalInteger(first + 13), purge: purge)
    }

    /// Inserts `record` with `content` into the state keyed `stateID`.
    private func insert(_ record: VersionRecord, content: [UInt8]?, stateID: Int64) throws {
        let placeholders = Array(repeating: "?", count: Self.versionColumns.count + 2).joined(separator: ", ")
        try self.connection.query(
            "INSERT INTO state_versions (state_id, \(Self.columns()), content) VALUES (\(placeholders))",
            [
                .integer(stateID), .integer(record.number), .integer(record.serial), .text(record.lineage),
                .integer(record.size), .blob(record.sha256), .blob(record.md5),
                .integer(record.createdAt.microseconds), .text(record.createdBy),
                record.lockID.map { .text($0) } ?? .null, record.metadata.terraformVersion.map { .text($0) } ?? .null,
                record.metadata.resourceCount.map { .integer($0) } ?? .null, .text(record.metadata.outputNamesJSON),
                .integer(record.metadata.encrypted ? 1 : 0), record.rollbackOf.map { .integer($0) } ?? .null,
                record.purge.map { .integer($0.at.microseconds) } ?? .null, record.purge.map { .text($0.by) } ?? .null,
                record.purge?.reason.map { .text($0) } ?? .null, content.map { .blob($0) } ?? .null,
            ])
    }

    func version(stateID: Int64, number: Int64) throws -> VersionRecord? {
        var record: VersionRecord? = nil
        try self.connection.query(
            "SELECT \(Self.columns()) FROM state_versions WHERE state_id = ? AND number = ?",
            [.integer(stateID), .integer(number)]
        ) { record = try self.record($0, from: 0) }
        return record
    }

    func currentVersion(named name: StateName) throws -> (stateID: Int64, version: VersionRecord)? {
        var found: (Int64, VersionRecord)? = nil
        try self.connection.query(
            """
            SELECT s.id, \(Self.columns("v"))
            FROM states s JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
            WHERE s.name = ? AND s.deleted_at IS NULL
            """, [.text(name.rawValue)]
        ) { found = ($0.integer(0), try self.record($0, from: 1)) }
        return found
    }

    func versions(of state: StoredState) throws -> [VersionRecord] {
        var records: [VersionRecord] = []
        try self.connection.query(
            "SELECT \(Self.columns()) FROM state_versions WHERE state_id = ? ORDER BY number",
            [.integer(state.id)]
        ) { records.append(try self.record($0, from: 0)) }
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
        let record = version.record(number: (state.latest?.number ?? 0) + 1)
        try self.insert(record, content: version.blob.gzip, stateID: state.id)
        try self.connection.query(
            "UPDATE states SET latest_version = ? WHERE id = ?", [.integer(record.number), .integer(state.id)])
        return record
    }

    func allStates() throws -> [StateEntry] {
        try self.entries(where: "1", orderBy: "s.id")
    }

    /// The states matching `condition` (SQL with `?` placeholders for `parameters`; `order` may
    /// end with a `LIMIT ?`), with their locks and latest versions.
    private func entries(where condition: String, _ parameters: [SQLiteValue] = [], orderBy order: String)
        throws -> [StateEntry]
    {
        var entries: [StateEntry] = []
        try self.connection.query(
            """
            SELECT s.id, s.name, s.created_at, s.lock_info, s.locked_at, s.locked_by, s.deleted_at, s.deleted_by,
                   \(Self.columns("v"))
            FROM states s LEFT JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
            WHERE \(condition) ORDER BY \(order)
            """, parameters
        ) { row in
            let text = row.text(1)
            let name: StateName
            var lock: StoredLock? = nil
            do {
                name = try StateName(text)
                if !row.isNull(3) {
                    lock = StoredLock(
                        info: try LockInfo(json: row.blob(3)), acquiredAt: row.timestamp(4), acquiredBy: row.text(5))
                }
            } catch {
                throw StoreError(.fault, "stored state \(text) is invalid: \(error)")
            }
            let latest = row.isNull(8) ? nil : try self.record(row, from: 8)
            entries.append(
                StateEntry(
                    state: StoredState(
                        id: row.integer(0), name: name, createdAt: row.timestamp(2), lock: lock, latest: latest),
                    deletedAt: row.isNull(6) ? nil : row.timestamp(6), deletedBy: row.optionalText(7)))
        }
        return entries
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

    func insertVersion(_ record: VersionRecord, gzip: [UInt8]?, stateID: Int64) throws {
        try self.insert(record, content: gzip, stateID: stateID)
    }

    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
        try self.connection.query(
            "UPDATE states SET deleted_at = ?, deleted_by = ? WHERE id = ?",
            [.integer(time.microseconds), .text(principal), .integer(state.id)])
    }

    // MARK: - Management

    func state(named name: StateName) throws -> StoredState? {
        try self.stateForUpdate(named: name)
    }

    func states(_ query: StateQuery) throws -> [StateEntry] {
        var condition = query.deleted ? "s.deleted_at IS NOT NULL" : "s.deleted_at IS NULL"
        var parameters: [SQLiteValue] = []
        if let prefix = query.prefix {
            condition += " AND substr(s.name, 1, length(?)) = ?"
            parameters += [.text(prefix), .text(prefix)]
        }
        if let after = query.after {
            condition += " AND (s.name > ? OR (s.name = ? AND s.id > ?))"
            parameters += [.text(after.name), .text(after.name), .integer(after.id)]
        }
        return try self.entries(
            where: condition, parameters + [.integer(Int64(query.limit))], orderBy: "s.name, s.id LIMIT ?")
    }

    func deletedStates(named name: StateName) throws -> [StateEntry] {
        try self.entries(
            where: "s.name = ? AND s.deleted_at IS NOT NULL", [.text(name.rawValue)],
            orderBy: "s.deleted_at DESC, s.id DESC")
    }

    func lockedStates() throws -> [StoredState] {
        try self.entries(where: "s.lock_id IS NOT NULL AND s.deleted_at IS NULL", orderBy: "s.locked_at, s.id")
            .map(\.state)
    }

    func versionCount(stateID: Int64) throws -> Int64 {
        var count: Int64 = 0
        try self.connection.query(
            "SELECT count(*) FROM state_versions WHERE state_id = ?", [.integer(stateID)]
        ) { count = $0.integer(0) }
        return count
    }

    func versions(stateID: Int64, before: Int64?, limit: Int) throws -> [VersionRecord] {
        var records: [VersionRecord] = []
        try self.connection.query(
            """
            SELECT \(Self.columns()) FROM state_versions WHERE state_id = ? AND number < ?
            ORDER BY number DESC LIMIT ?
            """, [.integer(stateID), .integer(before ?? .max), .integer(Int64(limit))]
        ) { records.append(try self.record($0, from: 0)) }
        return records
    }

    func purgeVersion(stateID: Int64, number: Int64, _ purge: Purge) throws {
        try self.connection.query(
            """
            UPDATE state_versions SET content = NULL, purged_at = ?, purged_by = ?, purge_reason = ?
            WHERE state_id = ? AND number = ?
            """,
            [
                .integer(purge.at.microseconds), .text(purge.by), purge.reason.map { .text($0) } ?? .null,
                .integer(stateID), .integer(number),
            ])
    }

    func deleteVersions(stateID: Int64, numbers: [Int64]) throws {
        for number in numbers {
            try self.connection.query(
                "DELETE FROM state_versions WHERE state_id = ? AND number = ?", [.integer(stateID), .integer(number)])
        }
    }

    func restoreState(stateID: Int64) throws -> Bool {
        try self.connection.query(
            "UPDATE states SET deleted_at = NULL, deleted_by = NULL WHERE id = ? AND deleted_at IS NOT NULL",
            [.integer(stateID)])
        return self.connection.changes == 1
    }

    func expungeState(stateID: Int64, deletedBefore cutoff: Timestamp) throws -> Bool {
        var doomed = false
        try self.connection.query(
            "SELECT 1 FROM states WHERE id = ? AND deleted_at IS NOT NULL AND deleted_at < ?",
            [.integer(stateID), .integer(cutoff.microseconds)]
        ) { _ in doomed = true }
        guard doomed else { return false }
        try self.connection.query("DELETE FROM state_versions WHERE state_id = ?", [.integer(stateID)])
        try self.connection.query("DELETE FROM states WHERE id = ?", [.integer(stateID)])
        return true
    }

    func appendAudit(_ event: AuditEvent) throws {
        try self.connection.query(
            """
            INSERT INTO audit_events
                (at, action, state, version, user_name, address, request_id, lock_id, reason, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(event.at.microseconds), .text(event.action.rawValue), .text(event.state.rawValue),
                event.version.map { .integer($0) } ?? .null, .text(event.user),
                event.address.map { .text($0) } ?? .null,
                event.requestID.map { .text($0) } ?? .null, event.lockID.map { .text($0) } ?? .null,
                event.reason.map { .text($0) } ?? .null, event.detail.map { .text($0) } ?? .null,
            ])
    }

    func auditEvents(_ query: AuditQuery) throws -> [AuditEvent] {
        var condition = "id > ?"
        var parameters: [SQLiteValue] = [.integer(query.after ?? 0)]
        if let state = query.state {
            condition += " AND state = ?"
            parameters.append(.text(state.rawValue))
        }
        if let since = query.since {
            condition += " AND at >= ?"
            parameters.append(.integer(since.microseconds))
        }
        var events: [AuditEvent] = []
        try self.connection.query(
            """
            SELECT id, at, action, state, version, user_name, address, request_id, lock_id, reason, detail
            FROM audit_events WHERE \(condition) ORDER BY id LIMIT ?
            """, parameters + [.integer(Int64(query.limit))]
        ) { row in
            guard let action = AuditEvent.Action(rawValue: row.text(2)), let state = try? StateName(row.text(3)) else {
                throw StoreError(.fault, "audit event \(row.integer(0)) is invalid")
            }
            events.append(
                AuditEvent(
                    id: row.integer(0), at: row.timestamp(1), action: action, state: state,
                    version: row.optionalInteger(4), user: row.text(5), address: row.optionalText(6),
                    requestID: row.optionalText(7), lockID: row.optionalText(8), reason: row.optionalText(9),
                    detail: row.optionalText(10)))
        }
        return events
    }
}
