import Application
import Domain

/// Listings and lookups, over the copy a transaction works on.
extension InMemoryTransaction: StateCatalog {
    func state(named name: StateName) throws -> StoredState? {
        try self.stateForUpdate(named: name)
    }

    func states(_ query: StateQuery) throws -> [StateEntry] {
        self.contents.states.values
            .filter { row in
                (row.deletedAt != nil) == query.deleted
                    && query.prefix.map { row.name.rawValue.hasPrefix($0) } ?? true
                    && query.foldedContains.map { StateQuery.foldingASCII(row.name.rawValue).utf8.contains($0.utf8) }
                        ?? true
                    && query.after.map { after in
                        // Names are ASCII, so String order is byte order, as in the databases.
                        let name = row.name.rawValue
                        return name > after.name || (name == after.name && row.id > after.id)
                    } ?? true
            }
            .filter { row in
                guard query.withVersion else { return true }
                guard let latest = self.stored(row).latest else { return false }
                return latest.purge == nil
            }
            .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
            .prefix(query.limit)
            .map { StateEntry(state: self.stored($0), deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
    }

    func allStates() throws -> [StateEntry] {
        self.contents.states.values.sorted { $0.id < $1.id }.map {
            StateEntry(state: self.stored($0), deletedAt: $0.deletedAt, deletedBy: $0.deletedBy)
        }
    }

    func deletedStates(named name: StateName) throws -> [StateEntry] {
        self.contents.states.values
            .filter { $0.name == name && $0.deletedAt != nil }
            .sorted { ($0.deletedAt!, $0.id) > ($1.deletedAt!, $1.id) }
            .map { StateEntry(state: self.stored($0), deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
    }

    func lockedStates(_ query: LockQuery) throws -> [StoredState] {
        self.locked()
            .filter { row in
                let acquiredAt = row.lock!.acquiredAt
                return query.takenBy.map { acquiredAt <= $0 } ?? true
                    && query.after.map { (acquiredAt, row.id) > ($0.acquiredAt, $0.id) } ?? true
            }
            .prefix(query.limit)
            .map(self.stored)
    }

    func lockSummary() throws -> LockSummary {
        let locked = self.locked()
        return LockSummary(count: locked.count, oldestAcquiredAt: locked.first?.lock?.acquiredAt)
    }

    /// The live locked states, oldest lock first.
    private func locked() -> [InMemoryStore.StateRow] {
        self.contents.live.values.compactMap { self.contents.states[$0] }
            .filter { $0.lock != nil }
            .sorted { ($0.lock!.acquiredAt, $0.id) < ($1.lock!.acquiredAt, $1.id) }
    }

    func versionCount(stateID: Int64) throws -> Int64 {
        Int64(self.contents.versions[stateID]?.count ?? 0)
    }

    func versions(stateID: Int64) throws -> [VersionRecord] {
        self.contents.versions[stateID]?.map(\.record) ?? []
    }

    func versions(stateID: Int64, before: Int64?, limit: Int) throws -> [VersionRecord] {
        Array(
            (self.contents.versions[stateID] ?? []).reversed()
                .filter { row in before.map { row.record.number < $0 } ?? true }
                .prefix(limit)
                .map(\.record))
    }

    func version(stateID: Int64, number: Int64) throws -> VersionRecord? {
        self.contents.versions[stateID]?.first { $0.record.number == number }?.record
    }
}
