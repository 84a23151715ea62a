import Application
import Domain

/// Versions' stored bytes as they are.
extension InMemoryTransaction: StoredContents {
    func tally(prefix: [UInt8]) throws -> ContentTally {
        let stored = self.contents.versions.values.joined().compactMap(\.gzip)
        let others = stored.filter { !$0.starts(with: prefix) }
        return ContentTally(
            matching: stored.count - others.count, others: others.count,
            otherBytes: others.reduce(0) { $0 + Int64($1.count) })
    }

    func versions(notBeginningWith prefix: [UInt8], after position: ContentPosition?, limit: Int) throws
        -> [StoredContent]
    {
        let start = position ?? ContentPosition(stateID: 0, number: 0)
        var found: [StoredContent] = []
        for stateID in self.contents.versions.keys.sorted() where stateID >= start.stateID {
            guard let name = self.contents.states[stateID]?.name else { continue }
            for row in self.contents.versions[stateID, default: []].sorted(by: { $0.record.number < $1.record.number })
            where stateID > start.stateID || row.record.number > start.number {
                guard let gzip = row.gzip, !gzip.starts(with: prefix) else { continue }
                found.append(
                    StoredContent(
                        position: ContentPosition(stateID: stateID, number: row.record.number), name: name,
                        size: Int64(gzip.count)))
                if found.count == limit { return found }
            }
        }
        return found
    }

    func content(stateID: Int64, number: Int64) throws -> [UInt8]? {
        self.contents.versions[stateID]?.first { $0.record.number == number }?.gzip
    }

    func replace(stateID: Int64, number: Int64, with content: [UInt8]) throws -> Bool {
        guard let index = self.contents.versions[stateID]?.firstIndex(where: { $0.record.number == number }),
            self.contents.versions[stateID]![index].gzip != nil
        else { return false }
        self.contents.versions[stateID]![index].gzip = content
        return true
    }
}
