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
        var tokens: [String: StoredToken] = [:]
        var sessions: [[UInt8]: StoredSession] = [:]
        var uploads: [String: StoredUpload] = [:]
        /// Each upload's parts by number, with their bytes.
        var uploadParts: [String: [Int: (part: UploadPart, bytes: [UInt8])]] = [:]
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
    public func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        self.lock.wait()
        defer { self.lock.signal() }
        let transaction = InMemoryTransaction(contents: self.contents)
        let result = try work(transaction)
        self.contents = transaction.contents
        return result
    }
}
