import Application
import Domain

/// Removes history for good.
extension InMemoryTransaction: HistoryPruning {
    func deleteVersions(stateID: Int64, numbers: [Int64]) throws {
        let doomed = Set(numbers)
        self.contents.versions[stateID]?.removeAll { doomed.contains($0.record.number) }
    }

    func expungeState(stateID: Int64, deletedBefore cutoff: Timestamp) throws -> Bool {
        guard let deletedAt = self.contents.states[stateID]?.deletedAt, deletedAt < cutoff else { return false }
        self.contents.states[stateID] = nil
        self.contents.versions[stateID] = nil
        return true
    }
}
