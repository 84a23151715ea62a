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
        var gzip: [UInt8]
    }

    struct Contents {
        var states: [Int64: StateRow] = [:]
        var live: [StateName: Int64] = [:]
        var versions: [Int64: [VersionRow]] = [:]
        var nextID: Int64 = 1
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
            let number = Int64(self.contents.versions[state.id]?.count ?? 0) + 1
            let record = VersionRecord(
                number: number, serial: version.serial, lineage: version.lineage, size: version.blob.size,
                sha256: version.blob.sha256, md5: version.blob.md5, createdAt: version.createdAt,
                createdBy: version.createdBy, lockID: version.lockID)
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

        func insertVersion(_ record: VersionRecord, gzip: [UInt8], stateID: Int64) throws {
            self.contents.versions[stateID, default: []].append(VersionRow(record: record, gzip: gzip))
            self.contents.versions[stateID]?.sort { $0.record.number < $1.record.number }
        }

        func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
            self.contents.states[state.id]?.deletedAt = time
            self.contents.states[state.id]?.deletedBy = principal
            self.contents.live[state.name] = nil
        }
    }
}
