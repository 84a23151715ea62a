import Application
import Domain

/// The protocol's state and lock port, over the copy a transaction works on.
extension InMemoryTransaction: StateRepository {
    func stateForUpdate(named name: StateName) throws -> StoredState? {
        self.contents.live[name].flatMap { self.contents.states[$0] }.map(self.stored)
    }

    func createStateForUpdate(named name: StateName, at time: Timestamp) throws -> StoredState {
        if let existing = try self.stateForUpdate(named: name) { return existing }
        let row = InMemoryStore.StateRow(id: self.contents.nextID, name: name, createdAt: time)
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

    func content(of name: StateName, stateID: Int64, version number: Int64) throws -> [UInt8]? {
        self.contents.versions[stateID]?.first { $0.record.number == number }?.gzip
    }

    func setLock(_ lock: StoredLock?, on state: StoredState) throws {
        self.contents.states[state.id]?.lock = lock
    }

    func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord {
        let number = state.nextVersionNumber
        let record = version.record(number: number)
        self.contents.versions[state.id, default: []].append(
            InMemoryStore.VersionRow(record: record, gzip: version.blob.gzip))
        self.contents.states[state.id]?.latest = number
        return record
    }

    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
        self.contents.states[state.id]?.deletedAt = time
        self.contents.states[state.id]?.deletedBy = principal
        self.contents.live[state.name] = nil
    }

    func restoreState(stateID: Int64) throws -> Bool {
        guard let row = self.contents.states[stateID], row.deletedAt != nil else { return false }
        self.contents.states[stateID]?.deletedAt = nil
        self.contents.states[stateID]?.deletedBy = nil
        self.contents.live[row.name] = stateID
        return true
    }

    func purgeVersion(stateID: Int64, number: Int64, _ purge: Purge) throws {
        guard let index = self.contents.versions[stateID]?.firstIndex(where: { $0.record.number == number })
        else { return }
        let row = self.contents.versions[stateID]![index]
        self.contents.versions[stateID]![index] = InMemoryStore.VersionRow(record: row.record.purged(purge), gzip: nil)
    }
}
