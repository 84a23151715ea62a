import Application
import Dispatch
import Domain

/// A store in process memory, for tests and trying things out. Transactions are serialised by
/// one lock and work on a copy that replaces the data only when they succeed, so a failed
/// transaction leaves nothing behind, as in a database.
public final class InMemoryStore: UnitOfWork, @unchecked Sendable {
    struct StateRow {
        var id: Int64
        var name: StateName
        var createdAt: Timestamp
        var lock: StoredLock?
        var deletedAt: Timestamp?
        var deletedBy: String?
        /// The number of the state's current version (0: none yet).
        var latest: Int64 = 0
    }

    struct VersionRow {
        var record: VersionRecord
        var gzip: [UInt8]?
    }

    struct Contents {
        var states: [Int64: StateRow] = [:]
        var live: [StateName: Int64] = [:]
        var versions: [Int64: [VersionRow]] = [:]
        var nextID: Int64 = 1
        var audit: [AuditEvent] = []
    }

    /// A binary semaphore: one transaction at a time.
    private let lock = DispatchSemaphore(value: 1)
    private var contents = Contents()

    /// An empty store.
    public init() {}

    /// Every stored version, deleted states included (for tests).
    func versionCount() -> Int {
        self.lock.wait()
        defer { self.lock.signal() }
        return self.contents.versions.values.reduce(0) { $0 + $1.count }
    }

    /// Always answers: the store is this process's memory.
    public func ping() throws(StoreError) {}

    /// Runs `work` serialised with every other transaction; its changes land only if it returns.
    public func transaction<T>(_ work: (any StateRepository) throws -> T) throws -> T {
        self.lock.wait()
        defer { self.lock.signal() }
        let repository = Repository(contents: self.contents)
        let result = try work(repository)
        self.contents = repository.contents
        return result
    }

    final class Repository: StateRepository {
        var contents: Contents

        init(contents: Contents) { self.contents = contents }

        private func stored(_ row: StateRow) -> StoredState {
            StoredState(
                id: row.id, name: row.name, createdAt: row.createdAt, lock: row.lock,
                latest: self.contents.versions[row.id]?.first { $0.record.number == row.latest }?.record)
        }

        func stateForUpdate(named name: StateName) throws -> StoredState? {
            self.contents.live[name].flatMap { self.contents.states[$0] }.map(self.stored)
        }

        func createStateForUpdate(named name: StateName, at time: Timestamp) throws -> StoredState {
            if let existing = try self.stateForUpdate(named: name) { return existing }
            let row = StateRow(id: self.contents.nextID, name: name, createdAt: time)
            self.contents.nextID += 1
            self.contents.states[row.id] = row
            self.contents.live[name] = row.id
            return self.stored(row)
        }

        func currentVersion(named name: StateName) throws -> (stateID: Int64, version: VersionRecord)? {
            guard let id = self.contents.live[name], let row = self.contents.states[id],
                let latest = self.stored(row).latest
            else { return nil }
            return (id, latest)
        }

        func versions(of state: StoredState) throws -> [VersionRecord] {
            self.contents.versions[state.id]?.map(\.record) ?? []
        }

        func content(stateID: Int64, version number: Int64) throws -> [UInt8]? {
            self.contents.versions[stateID]?.first { $0.record.number == number }?.gzip
        }

        func setLock(_ lock: StoredLock?, on state: StoredState) throws {
            self.contents.states[state.id]?.lock = lock
        }

        func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord {
            let number = (state.latest?.number ?? 0) + 1
            let record = version.record(number: number)
            self.contents.versions[state.id, default: []].append(VersionRow(record: record, gzip: version.blob.gzip))
            self.contents.states[state.id]?.latest = number
            return record
        }

        func allStates() throws -> [StateEntry] {
            self.contents.states.values.sorted { $0.id < $1.id }.map {
                StateEntry(state: self.stored($0), deletedAt: $0.deletedAt, deletedBy: $0.deletedBy)
            }
        }

        func insertState(_ entry: StateEntry) throws -> Int64 {
            let row = StateRow(
                id: self.contents.nextID, name: entry.state.name, createdAt: entry.state.createdAt,
                lock: entry.state.lock, deletedAt: entry.deletedAt, deletedBy: entry.deletedBy,
                latest: entry.state.latest?.number ?? 0)
            self.contents.nextID += 1
            self.contents.states[row.id] = row
            if entry.deletedAt == nil { self.contents.live[row.name] = row.id }
            return row.id
        }

        func insertVersion(_ record: VersionRecord, gzip: [UInt8]?, stateID: Int64) throws {
            self.contents.versions[stateID, default: []].append(VersionRow(record: record, gzip: gzip))
            self.contents.versions[stateID]?.sort { $0.record.number < $1.record.number }
        }

        func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
            self.contents.states[state.id]?.deletedAt = time
            self.contents.states[state.id]?.deletedBy = principal
            self.contents.live[state.name] = nil
        }

        func state(named name: StateName) throws -> StoredState? {
            try self.stateForUpdate(named: name)
        }

        func states(_ query: StateQuery) throws -> [StateEntry] {
            self.contents.states.values
                .filter { row in
                    (row.deletedAt != nil) == query.deleted
                        && query.prefix.map { row.name.rawValue.hasPrefix($0) } ?? true
                        && query.after.map { after in
                            // Names are ASCII, so String order is byte order, as in the databases.
                            let name = row.name.rawValue
                            return name > after.name || (name == after.name && row.id > after.id)
                        } ?? true
                }
                .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
                .prefix(query.limit)
                .map { StateEntry(state: self.stored($0), deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        }

        func deletedStates(named name: StateName) throws -> [StateEntry] {
            self.contents.states.values
                .filter { $0.name == name && $0.deletedAt != nil }
                .sorted { ($0.deletedAt!, $0.id) > ($1.deletedAt!, $1.id) }
                .map { StateEntry(state: self.stored($0), deletedAt: $0.deletedAt, deletedBy: $0.deletedBy) }
        }

        func lockedStates() throws -> [StoredState] {
            self.contents.live.values.compactMap { self.contents.states[$0] }
                .filter { $0.lock != nil }
                .sorted { ($0.lock!.acquiredAt, $0.id) < ($1.lock!.acquiredAt, $1.id) }
                .map(self.stored)
        }

        func versionCount(stateID: Int64) throws -> Int64 {
            Int64(self.contents.versions[stateID]?.count ?? 0)
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

        func purgeVersion(stateID: Int64, number: Int64, _ purge: Purge) throws {
            guard let index = self.contents.versions[stateID]?.firstIndex(where: { $0.record.number == number })
            else { return }
            let row = self.contents.versions[stateID]![index]
            self.contents.versions[stateID]![index] = VersionRow(record: row.record.purged(purge), gzip: nil)
        }

        func deleteVersions(stateID: Int64, numbers: [Int64]) throws {
            let doomed = Set(numbers)
            self.contents.versions[stateID]?.removeAll { doomed.contains($0.record.number) }
        }

        func restoreState(stateID: Int64) throws -> Bool {
            guard let row = self.contents.states[stateID], row.deletedAt != nil else { return false }
            self.contents.states[stateID]?.deletedAt = nil
            self.contents.states[stateID]?.deletedBy = nil
            self.contents.live[row.name] = stateID
            return true
        }

        func expungeState(stateID: Int64, deletedBefore cutoff: Timestamp) throws -> Bool {
            guard let deletedAt = self.contents.states[stateID]?.deletedAt, deletedAt < cutoff else { return false }
            self.contents.states[stateID] = nil
            self.contents.versions[stateID] = nil
            return true
        }

        func appendAudit(_ event: AuditEvent) throws {
            self.contents.audit.append(event.withID(Int64(self.contents.audit.count) + 1))
        }

        func auditEvents(_ query: AuditQuery) throws -> [AuditEvent] {
            Array(
                self.contents.audit
                    .filter { event in
                        query.state.map { event.state == $0 } ?? true && query.since.map { event.at >= $0 } ?? true
                            && query.after.map { event.id > $0 } ?? true
                    }
                    .prefix(query.limit))
        }
    }
}
