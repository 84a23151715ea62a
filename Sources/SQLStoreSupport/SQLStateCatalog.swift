import Application
import Domain

/// Listings and lookups on a SQL store, without row locks.
struct SQLStateCatalog: StateCatalog {
    let connection: any SQLConnection
    let dialect: SQLDialect

    /// The states matching `condition` (on `states s`, with `$n` placeholders for `parameters`),
    /// ordered by `order`.
    private func entries(where condition: String, _ parameters: [SQLValue] = [], orderBy order: String) throws
        -> [StateEntry]
    {
        try self.connection.rows(
            "\(StateRows.selectEntries)\nWHERE \(condition) ORDER BY \(order)", parameters, StateRows.entry)
    }

    func state(named name: StateName) throws -> StoredState? {
        try self.entries(where: "s.name = $1 AND s.deleted_at IS NULL", [.text(name.rawValue)], orderBy: "s.id")
            .first?.state
    }

    func states(_ query: StateQuery) throws -> [StateEntry] {
        var condition = query.deleted ? "s.deleted_at IS NOT NULL" : "s.deleted_at IS NULL"
        var parameters: [SQLValue] = [.int64(Int64(query.limit))]
        let bytewise = self.dialect.bytewise
        if let prefix = query.prefix {
            parameters.append(.text(prefix))
            condition += " AND " + self.dialect.nameStartsWith("$\(parameters.count)")
        }
        if let text = query.foldedContains {
            parameters.append(.text(text))
            condition += " AND " + self.dialect.lowercasedNameContains("$\(parameters.count)")
        }
        if query.withVersion {
            condition += " AND v.number IS NOT NULL AND v.purged_at IS NULL"
        }
        if let after = query.after {
            parameters += [.text(after.name), .int64(after.id)]
            condition += " AND (s.name\(bytewise), s.id) > ($\(parameters.count - 1)\(bytewise), $\(parameters.count))"
        }
        return try self.entries(where: condition, parameters, orderBy: "s.name\(bytewise), s.id LIMIT $1")
    }

    func allStates() throws -> [StateEntry] {
        try self.entries(where: "1 = 1", orderBy: "s.id")
    }

    func deletedStates(named name: StateName) throws -> [StateEntry] {
        try self.entries(
            where: "s.name = $1 AND s.deleted_at IS NOT NULL", [.text(name.rawValue)],
            orderBy: "s.deleted_at DESC, s.id DESC")
    }

    func lockedStates(_ query: LockQuery) throws -> [StoredState] {
        var condition = "s.lock_id IS NOT NULL AND s.deleted_at IS NULL"
        var parameters: [SQLValue] = [.int64(Int64(query.limit))]
        if let takenBy = query.takenBy {
            parameters.append(.timestamp(takenBy))
            condition += " AND s.locked_at <= $\(parameters.count)"
        }
        if let after = query.after {
            parameters += [.timestamp(after.acquiredAt), .int64(after.id)]
            condition += " AND (s.locked_at, s.id) > ($\(parameters.count - 1), $\(parameters.count))"
        }
        return try self.entries(where: condition, parameters, orderBy: "s.locked_at, s.id LIMIT $1").map(\.state)
    }

    func lockSummary() throws -> LockSummary {
        try self.connection.rows(
            "SELECT count(*), min(locked_at) FROM states WHERE lock_id IS NOT NULL AND deleted_at IS NULL"
        ) { LockSummary(count: Int($0.int64(0)), oldestAcquiredAt: $0.optionalTimestamp(1)) }.first
            ?? LockSummary(count: 0, oldestAcquiredAt: nil)
    }

    func versionCount(stateID: Int64) throws -> Int64 {
        try self.connection.rows("SELECT count(*) FROM state_versions WHERE state_id = $1", [.int64(stateID)]) {
            $0.int64(0)
        }.first ?? 0
    }

    /// Version statements' texts, made once.
    private static let selectVersions =
        "SELECT \(StateRows.versionColumns) FROM state_versions WHERE state_id = $1 ORDER BY number"
    private static let selectVersionPage = """
        SELECT \(StateRows.versionColumns) FROM state_versions WHERE state_id = $1 AND number < $2
        ORDER BY number DESC LIMIT $3
        """
    private static let selectVersion =
        "SELECT \(StateRows.versionColumns) FROM state_versions WHERE state_id = $1 AND number = $2"

    func versions(stateID: Int64) throws -> [VersionRecord] {
        try self.connection.rows(Self.selectVersions, [.int64(stateID)]) { try StateRows.version($0, from: 0) }
    }

    func versions(stateID: Int64, before: Int64?, limit: Int) throws -> [VersionRecord] {
        try self.connection.rows(
            Self.selectVersionPage, [.int64(stateID), .int64(before ?? .max), .int64(Int64(limit))]
        ) { try StateRows.version($0, from: 0) }
    }

    func version(stateID: Int64, number: Int64) throws -> VersionRecord? {
        try self.connection.rows(Self.selectVersion, [.int64(stateID), .int64(number)]) {
            try StateRows.version($0, from: 0)
        }.first
    }
}
