import Application
import Domain

/// One transaction of an ``InMemoryStore``: it works on a copy of the store's contents, which
/// replaces them only when the transaction succeeds. It is every port at once.
final class InMemoryTransaction: Transaction {
    var contents: InMemoryStore.Contents

    init(contents: InMemoryStore.Contents) { self.contents = contents }

    var states: any StateRepository { self }
    var catalog: any StateCatalog { self }
    var audit: any AuditLog { self }
    var imports: any StateImport { self }
    var pruning: any HistoryPruning { self }
    var tokens: any TokenRepository { self }
    var sessions: any SessionRepository { self }
    var storedContents: any StoredContents { self }
    var uploads: any UploadRepository { self }

    func stored(_ row: InMemoryStore.StateRow) -> StoredState {
        StoredState(
            id: row.id, name: row.name, createdAt: row.createdAt, lock: row.lock,
            latest: self.contents.versions[row.id]?.first { $0.record.number == row.latest }?.record)
    }
}
