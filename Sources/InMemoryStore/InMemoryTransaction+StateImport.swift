import Application
import Domain

/// Inserts records exactly as another store kept them.
extension InMemoryTransaction: StateImport {
    func insertState(_ entry: StateEntry) throws -> Int64 {
        let row = InMemoryStore.StateRow(
            id: self.contents.nextID, name: entry.state.name, createdAt: entry.state.createdAt,
            lock: entry.state.lock, deletedAt: entry.deletedAt, deletedBy: entry.deletedBy,
            latest: entry.state.latest?.number ?? 0)
        self.contents.nextID += 1
        self.contents.states[row.id] = row
        if entry.deletedAt == nil { self.contents.live[row.name] = row.id }
        return row.id
    }

    func insertVersion(_ record: VersionRecord, gzip: [UInt8]?, of name: StateName, stateID: Int64) throws {
        self.contents.versions[stateID, default: []].append(InMemoryStore.VersionRow(record: record, gzip: gzip))
        self.contents.versions[stateID]?.sort { $0.record.number < $1.record.number }
    }

    func setLatest(_ number: Int64, stateID: Int64) throws {
        self.contents.states[stateID]?.latest = number
    }
}
