import Application
import Domain

/// How the SQL stores' tables map to records and back: the columns they select, how a row
/// becomes a record and which values an insert binds, in one place for both stores.
package enum StateRows {
    /// The version columns, in the order `version(_:from:)` reads them and `versionValues` binds
    /// them after the state's key.
    package static let versionColumnNames = [
        "number", "serial", "lineage", "size", "sha256", "md5", "created_at", "created_by", "lock_id",
        "terraform_version", "resource_count", "output_names", "encrypted", "rollback_of", "purged_at", "purged_by",
        "purge_reason",
    ]

    /// The version columns as a select list (made once: statements are looked up by their text
    /// on every call).
    package static let versionColumns = versionColumnNames.joined(separator: ", ")

    /// The version columns of `state_versions` aliased `v`.
    package static let aliasedVersionColumns = versionColumnNames.map { "v.\($0)" }.joined(separator: ", ")

    /// `INSERT INTO state_versions …` binding `versionValues`.
    package static let insertVersion = """
        INSERT INTO state_versions (state_id, \(versionColumns), content)
        VALUES (\((1...(versionColumnNames.count + 2)).map { "$\($0)" }.joined(separator: ", ")))
        """

    /// The values of `insertVersion`: the state's key, the version columns, the content.
    package static func versionValues(_ record: VersionRecord, content: [UInt8]?, stateID: Int64) -> [SQLValue] {
        [
            .int64(stateID), .int64(record.number), .int64(record.serial), .text(record.lineage), .int64(record.size),
            .bytes(record.sha256), .bytes(record.md5), .timestamp(record.createdAt), .text(record.createdBy),
            record.lockID.sqlValue(SQLValue.text), record.metadata.terraformVersion.sqlValue(SQLValue.text),
            record.metadata.resourceCount.sqlValue(SQLValue.int64), .text(record.metadata.outputNamesJSON),
            .bool(record.metadata.encrypted), record.rollbackOf.sqlValue(SQLValue.int64),
            record.purge.sqlValue { .timestamp($0.at) }, record.purge.sqlValue { .text($0.by) },
            (record.purge?.reason).sqlValue(SQLValue.text), content.sqlValue(SQLValue.bytes),
        ]
    }

    /// A version record from the version columns starting at `first`.
    package static func version(_ row: any SQLRow, from first: Int) throws -> VersionRecord {
        let metadata = StateMetadata(
            terraformVersion: row.optionalText(first + 9), resourceCount: row.optionalInt64(first + 10),
            outputNames: try StateMetadata.outputNames(fromJSON: row.text(first + 11)), encrypted: row.bool(first + 12))
        let purge = row.optionalTimestamp(first + 14).map {
            Purge(at: $0, by: row.text(first + 15), reason: row.optionalText(first + 16))
        }
        return VersionRecord(
            number: row.int64(first), serial: row.int64(first + 1), lineage: row.text(first + 2),
            size: row.int64(first + 3), sha256: row.bytes(first + 4), md5: row.bytes(first + 5),
            createdAt: row.timestamp(first + 6), createdBy: row.text(first + 7), lockID: row.optionalText(first + 8),
            metadata: metadata, rollbackOf: row.optionalInt64(first + 13), purge: purge)
    }

    /// States with their locks and latest versions, for `entry(_:)`: selected from `states s`,
    /// so a `WHERE` on `s` and an `ORDER BY` follow.
    package static let selectEntries = """
        SELECT s.id, s.name, s.created_at, s.lock_info, s.locked_at, s.locked_by, s.deleted_at, s.deleted_by,
               \(aliasedVersionColumns)
        FROM states s LEFT JOIN state_versions v ON v.state_id = s.id AND v.number = s.latest_version
        """

    /// A state from a row of `selectEntries`.
    package static func entry(_ row: any SQLRow) throws -> StateEntry {
        let name = try self.name(row.text(1))
        let state = StoredState(
            id: row.int64(0), name: name, createdAt: row.timestamp(2), lock: try self.lock(row, from: 3, of: name),
            latest: row.isNull(8) ? nil : try self.version(row, from: 8))
        return StateEntry(state: state, deletedAt: row.optionalTimestamp(6), deletedBy: row.optionalText(7))
    }

    /// The lock from the columns `lock_info`, `locked_at`, `locked_by` starting at `first`, if any.
    package static func lock(_ row: any SQLRow, from first: Int, of name: StateName) throws -> StoredLock? {
        guard !row.isNull(first) else { return nil }
        do {
            return StoredLock(
                info: try LockInfo(stored: row.bytes(first)), acquiredAt: row.timestamp(first + 1),
                acquiredBy: row.text(first + 2))
        } catch {
            throw StoreError(.fault, "stored lock of \(name) is invalid: \(error)")
        }
    }

    /// The values of the columns `lock_id`, `lock_info`, `locked_at`, `locked_by`.
    package static func lockValues(_ lock: StoredLock?) -> [SQLValue] {
        [
            lock.sqlValue { .text($0.info.id) }, lock.sqlValue { .bytes($0.info.json) },
            lock.sqlValue { .timestamp($0.acquiredAt) }, lock.sqlValue { .text($0.acquiredBy) },
        ]
    }

    /// A stored state name, which must still be valid.
    package static func name(_ text: String) throws -> StateName {
        do {
            return try StateName(text)
        } catch {
            throw StoreError(.fault, "stored state name \(text) is invalid: \(error)")
        }
    }

    /// The audit columns, in the order `auditEvent(_:)` reads them (`auditValues` binds all but
    /// the first).
    package static let auditColumns =
        "id, at, action, state, version, user_name, address, request_id, lock_id, reason, detail"

    /// An audit event from a row of `auditColumns`.
    package static func auditEvent(_ row: any SQLRow) throws -> AuditEvent {
        // No state (an event about a token), or a valid one.
        let stateText = row.optionalText(3)
        let state = stateText.flatMap { try? StateName($0) }
        guard let action = AuditEvent.Action(rawValue: row.text(2)), (stateText == nil) == (state == nil) else {
            throw StoreError(.fault, "audit event \(row.int64(0)) is invalid")
        }
        return AuditEvent(
            id: row.int64(0), at: row.timestamp(1), action: action, state: state, version: row.optionalInt64(4),
            user: row.text(5), address: row.optionalText(6), requestID: row.optionalText(7),
            lockID: row.optionalText(8), reason: row.optionalText(9), detail: row.optionalText(10))
    }

    /// The values of every audit column but `id`.
    package static func auditValues(_ event: AuditEvent) -> [SQLValue] {
        [
            .timestamp(event.at), .text(event.action.rawValue), event.state.sqlValue { .text($0.rawValue) },
            event.version.sqlValue(SQLValue.int64), .text(event.user), event.address.sqlValue(SQLValue.text),
            event.requestID.sqlValue(SQLValue.text), event.lockID.sqlValue(SQLValue.text),
            event.reason.sqlValue(SQLValue.text), event.detail.sqlValue(SQLValue.text),
        ]
    }
}
