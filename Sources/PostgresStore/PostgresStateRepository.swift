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
            latest = try self.version(stateID: id, number: latestNumber)
            guard latest != nil else { throw StoreError(.fault, "version \(latestNumber) of \(name) is missing") }
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
            SELECT \(Self.columns("v")), s.id
            FROM states s JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
            WHERE s.name = $1 AND s.deleted_at IS NULL
            """, [.text(name.rawValue)])
        guard result.rowCount == 1 else { return nil }
        return (result.int64(0, Self.versionColumns.count), try self.version(result, 0, from: 0))
    }

    func versions(of state: StoredState) throws -> [VersionRecord] {
        let result = try self.connection.query(
            "SELECT \(Self.columns()) FROM state_versions WHERE state_id = $1 ORDER BY number", [.int64(state.id)])
        return try (0..<result.rowCount).map { try self.version(result, $0, from: 0) }
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
        let record = version.record(number: (state.latest?.number ?? 0) + 1)
        try self.connection.query(
            """
            WITH inserted AS (
                INSERT INTO state_versions (state_id, \(Self.columns()), content)
                VALUES (\(Self.placeholders))
                RETURNING number
            )
            UPDATE states SET latest_version = (SELECT number FROM inserted) WHERE id = $1
            """, Self.parameters(record, content: version.blob.gzip, stateID: state.id))
        return record
    }

    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
        try self.connection.query(
            "UPDATE states SET deleted_at = $2, deleted_by = $3 WHERE id = $1",
            [.int64(state.id), .timestamp(time), .text(principal)])
    }

    func allStates() throws -> [StateEntry] {
        try self.entries(where: "true", orderBy: "s.id")
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

    func insertVersion(_ record: VersionRecord, gzip: [UInt8]?, stateID: Int64) throws {
        try self.connection.query(
            "INSERT INTO state_versions (state_id, \(Self.columns()), content) VALUES (\(Self.placeholders))",
            Self.parameters(record, content: gzip, stateID: stateID))
    }

    /// The states matching `condition` (on `states s`, with `$n` placeholders for `parameters`),
    /// with their locks and latest versions, ordered by `order`.
    private func entries(where condition: String, _ parameters: [PostgresValue] = [], orderBy order: String)
        throws -> [StateEntry]
    {
        let result = try self.connection.query(
            """
            SELECT s.id, s.name, s.created_at, s.lock_info, s.locked_at, s.locked_by, s.deleted_at, s.deleted_by,
                   \(Self.columns("v"))
            FROM states s LEFT JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
            WHERE \(condition) ORDER BY \(order)
            """, parameters)
        return try (0..<result.rowCount).map { row in
            let name = try self.name(result.text(row, 1))
            let state = StoredState(
                id: result.int64(row, 0), name: name, createdAt: result.timestamp(row, 2),
                lock: try self.lock(result, row, name: name),
                latest: result.isNull(row, 8) ? nil : try self.version(result, row, from: 8))
            return StateEntry(
                state: state, deletedAt: result.isNull(row, 6) ? nil : result.timestamp(row, 6),
                deletedBy: result.optionalText(row, 7))
        }
    }

    // MARK: - Management

    func state(named name: StateName) throws -> StoredState? {
        try self.entries(where: "s.name = $1 AND s.deleted_at IS NULL", [.text(name.rawValue)], orderBy: "s.id")
            .first?.state
    }

    func states(_ query: StateQuery) throws -> [StateEntry] {
        var condition = query.deleted ? "s.deleted_at IS NOT NULL" : "s.deleted_at IS NULL"
        var parameters: [PostgresValue] = [.int64(Int64(query.limit))]
        if let prefix = query.prefix {
            parameters.append(.text(prefix))
            condition += " AND starts_with(s.name, $\(parameters.count))"
        }
        if let after = query.after {
            parameters += [.text(after.name), .int64(after.id)]
            condition +=
                " AND (s.name COLLATE \"C\", s.id) > ($\(parameters.count - 1) COLLATE \"C\", $\(parameters.count))"
        }
        return try self.entries(where: condition, parameters, orderBy: "s.name COLLATE \"C\", s.id LIMIT $1")
    }

    func deletedStates(named name: StateName) throws -> [StateEntry] {
        try self.entries(
            where: "s.name = $1 AND s.deleted_at IS NOT NULL", [.text(name.rawValue)],
            orderBy: "s.deleted_at DESC, s.id DESC")
    }

    func lockedStates() throws -> [StoredState] {
        try self.entries(where: "s.lock_id IS NOT NULL AND s.deleted_at IS NULL", orderBy: "s.locked_at, s.id")
            .map(\.state)
    }

    func versionCount(stateID: Int64) throws -> Int64 {
        try self.connection.query("SELECT count(*) FROM state_versions WHERE state_id = $1", [.int64(stateID)])
            .int64(0, 0)
    }

    func versions(stateID: Int64, before: Int64?, limit: Int) throws -> [VersionRecord] {
        let result = try self.connection.query(
            """
            SELECT \(Self.columns()) FROM state_versions WHERE state_id = $1 AND number < $2
            ORDER BY number DESC LIMIT $3
            """, [.int64(stateID), .int64(before ?? .max), .int64(Int64(limit))])
        return try (0..<result.rowCount).map { try self.version(result, $0, from: 0) }
    }

    func version(stateID: Int64, number: Int64) throws -> VersionRecord? {
        let result = try self.connection.query(
            "SELECT \(Self.columns()) FROM state_versions WHERE state_id = $1 AND number = $2",
            [.int64(stateID), .int64(number)])
        return result.rowCount == 1 ? try self.version(result, 0, from: 0) : nil
    }

    func purgeVersion(stateID: Int64, number: Int64, _ purge: Purge) throws {
        try self.connection.query(
            """
            UPDATE state_versions SET content = NULL, purged_at = $3, purged_by = $4, purge_reason = $5
            WHERE state_id = $1 AND number = $2
            """,
            [
                .int64(stateID), .int64(number), .timestamp(purge.at), .text(purge.by),
                purge.reason.map { .text($0) } ?? .null,
            ])
    }

    func deleteVersions(stateID: Int64, numbers: [Int64]) throws {
        for number in numbers {
            try self.connection.query(
                "DELETE FROM state_versions WHERE state_id = $1 AND number = $2", [.int64(stateID), .int64(number)])
        }
    }

    func restoreState(stateID: Int64) throws -> Bool {
        try self.connection.query(
            "UPDATE states SET deleted_at = NULL, deleted_by = NULL WHERE id = $1 AND deleted_at IS NOT NULL RETURNING id",
            [.int64(stateID)]
        ).rowCount == 1
    }

    func expungeState(stateID: Int64, deletedBefore cutoff: Timestamp) throws -> Bool {
        // Lock the row first: a restore racing this sweep either commits before (and the
        // condition fails) or waits until the state is gone.
        let doomed = try self.connection.query(
            "SELECT id FROM states WHERE id = $1 AND deleted_at IS NOT NULL AND deleted_at < $2 FOR UPDATE",
            [.int64(stateID), .timestamp(cutoff)])
        guard doomed.rowCount == 1 else { return false }
        try self.connection.query("DELETE FROM state_versions WHERE state_id = $1", [.int64(stateID)])
        try self.connection.query("DELETE FROM states WHERE id = $1", [.int64(stateID)])
        return true
    }

    func appendAudit(_ event: AuditEvent) throws {
        try self.connection.query(
            """
            INSERT INTO audit_events
                (at, action, state, version, user_name, address, request_id, lock_id, reason, detail)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """,
            [
                .timestamp(event.at), .text(event.action.rawValue), .text(event.state.rawValue),
                event.version.map { .int64($0) } ?? .null, .text(event.user), event.address.map { .text($0) } ?? .null,
                event.requestID.map { .text($0) } ?? .null, event.lockID.map { .text($0) } ?? .null,
                event.reason.map { .text($0) } ?? .null, event.detail.map { .text($0) } ?? .null,
            ])
    }

    func auditEvents(_ query: AuditQuery) throws -> [AuditEvent] {
        var parameters: [PostgresValue] = [.int64(query.after ?? 0), .int64(Int64(query.limit))]
        var condition = "id > $1"
        if let state = query.state {
            parameters.append(.text(state.rawValue))
            condition += " AND state = $\(parameters.count)"
        }
        if let since = query.since {
            parameters.append(.timestamp(since))
            condition += " AND at >= $\(parameters.count)"
        }
        let result = try self.connection.query(
            """
            SELECT id, at, action, state, version, user_name, address, request_id, lock_id, reason, detail
            FROM audit_events WHERE \(condition) ORDER BY id LIMIT $2
            """, parameters)
        return try (0..<result.rowCount).map { row in
            guard let action = AuditEvent.Action(rawValue: result.text(row, 2)),
                let state = try? StateName(result.text(row, 3))
            else { throw StoreError(.fault, "audit event \(result.int64(row, 0)) is invalid") }
            return AuditEvent(
                id: result.int64(row, 0), at: result.timestamp(row, 1), action: action, state: state,
                version: result.optionalInt64(row, 4), user: result.text(row, 5), address: result.optionalText(row, 6),
                requestID: result.optionalText(row, 7), lockID: result.optionalText(row, 8),
                reason: result.optionalText(row, 9), detail: result.optionalText(row, 10))
        }
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

    /// The version columns, in the order `version(_:_:from:)` reads them.
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

    /// `$1, $2, …` for the state key, the version columns and the content.
    private static let placeholders = (1...(versionColumns.count + 2)).map { "$\($0)" }.joined(separator: ", ")

    /// The parameters for `placeholders`.
    private static func parameters(_ record: VersionRecord, content: [UInt8]?, stateID: Int64) -> [PostgresValue] {
        [
            .int64(stateID), .int64(record.number), .int64(record.serial), .text(record.lineage), .int64(record.size),
            .bytea(record.sha256), .bytea(record.md5), .timestamp(record.createdAt), .text(record.createdBy),
            record.lockID.map { .text($0) } ?? .null, record.metadata.terraformVersion.map { .text($0) } ?? .null,
            record.metadata.resourceCount.map { .int64($0) } ?? .null, .text(record.metadata.outputNamesJSON),
            .bool(record.metadata.encrypted), record.rollbackOf.map { .int64($0) } ?? .null,
            record.purge.map { .timestamp($0.at) } ?? .null, record.purge.map { .text($0.by) } ?? .null,
            record.purge?.reason.map { .text($0) } ?? .null, content.map { .bytea($0) } ?? .null,
        ]
    }

    /// A version record from `versionColumns` starting at `first`.
    private func version(_ result: PostgresResult, _ row: Int, from first: Int) throws -> VersionRecord {
        let metadata = StateMetadata(
            terraformVersion: result.optionalText(row, first + 9), resourceCount: result.optionalInt64(row, first + 10),
            outputNames: try StateMetadata.outputNames(fromJSON: result.text(row, first + 11)),
            encrypted: result.bool(row, first + 12))
        let purge =
            result.isNull(row, first + 14)
            ? nil
            : Purge(
                at: result.timestamp(row, first + 14), by: result.text(row, first + 15),
                reason: result.optionalText(row, first + 16))
        return VersionRecord(
            number: result.int64(row, first), serial: result.int64(row, first + 1),
            lineage: result.text(row, first + 2), size: result.int64(row, first + 3),
            sha256: result.bytes(row, first + 4), md5: result.bytes(row, first + 5),
            createdAt: result.timestamp(row, first + 6), createdBy: result.text(row, first + 7),
            lockID: result.optionalText(row, first + 8), metadata: metadata,
            rollbackOf: result.optionalInt64(row, first + 13), purge: purge)
    }
}
