import Application
import Dispatch
import Domain
import Synchronization

/// The embedded SQLite adapter: one database file, for a single Statehouse process.
///
/// SQLite has one writer at a time, so transactions queue on one writer connection (a
/// `BEGIN IMMEDIATE … COMMIT` each, taking the write lock up front); reads run in parallel on a
/// small pool of reader connections, which WAL mode keeps from blocking the writer.
public final class SQLiteStore: UnitOfWork, Sendable {
    /// Where and how.
    public struct Configuration: Sendable {
        /// The database file; its directory must exist and be writable.
        public var path: String
        /// Reader connections at most.
        public var readers: Int
        /// How long a request waits for the writer (or for a lock another process holds).
        public var busyTimeout: Duration

        /// Creates a configuration.
        public init(path: String, readers: Int, busyTimeout: Duration) {
            self.path = path
            self.readers = readers
            self.busyTimeout = busyTimeout
        }
    }

    private let configuration: Configuration
    /// The one connection that writes; `writerGate` gives it to one thread at a time.
    private let writer: SQLiteConnection
    private let writerGate = DispatchSemaphore(value: 1)
    private let readerSlots: DispatchSemaphore
    private let idleReaders = Mutex<[SQLiteConnection]>([])

    /// Opens the database (creating it if needed) and applies pending migrations, so a file that
    /// cannot be written is reported here, at startup.
    public init(configuration: Configuration) throws(StoreError) {
        self.configuration = configuration
        self.readerSlots = DispatchSemaphore(value: max(1, configuration.readers))
        do {
            let writer = try SQLiteConnection(path: configuration.path, busyTimeout: configuration.busyTimeout)
            _ = try SQLiteMigrations.run(on: writer)
            self.writer = writer
        } catch let error as SQLiteError {
            throw StoreError(error.storeError.kind, "\(configuration.path): \(error.message)")
        } catch {
            throw StoreError(.fault, "\(configuration.path): \(error)")
        }
    }

    /// Runs `work` in `BEGIN IMMEDIATE … COMMIT` on the writer connection.
    public func transaction<T>(_ work: (any StateRepository) throws -> T) throws -> T {
        guard self.writerGate.wait(timeout: .now() + self.nanoseconds(self.configuration.busyTimeout)) == .success
        else {
            throw StoreError(.unavailable, "the database stayed busy for the busy timeout")
        }
        defer { self.writerGate.signal() }
        let connection = self.writer
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            throw error.storeError
        }
        do {
            let result = try work(SQLiteStateRepository(connection: connection))
            try connection.execute("COMMIT")
            return result
        } catch {
            try? connection.execute("ROLLBACK")
            if let error = error as? SQLiteError { throw error.storeError }
            throw error
        }
    }

    /// Runs `work` (one read statement) on a reader connection, in parallel with the writer.
    public func read<T>(_ work: (any StateRepository) throws -> T) throws -> T {
        guard self.readerSlots.wait(timeout: .now() + self.nanoseconds(self.configuration.busyTimeout)) == .success
        else {
            throw StoreError(.unavailable, "no database reader free within the busy timeout")
        }
        defer { self.readerSlots.signal() }
        let connection: SQLiteConnection
        if let idle = self.idleReaders.withLock({ $0.popLast() }) {
            connection = idle
        } else {
            do {
                connection = try SQLiteConnection(
                    path: self.configuration.path, busyTimeout: self.configuration.busyTimeout)
            } catch {
                throw error.storeError
            }
        }
        defer { self.idleReaders.withLock { $0.append(connection) } }
        do {
            return try work(SQLiteStateRepository(connection: connection))
        } catch let error as SQLiteError {
            throw error.storeError
        }
    }

    private func nanoseconds(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
