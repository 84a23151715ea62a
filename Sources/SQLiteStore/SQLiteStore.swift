import Application
import CoreMetrics
import Domain
import Logging
import SQLStoreSupport
import Synchronization

/// The embedded SQLite adapter: one database file, for a single Statehouse process.
///
/// SQLite has one writer at a time, so transactions queue on one writer connection (a
/// `BEGIN IMMEDIATE … COMMIT` each, taking the write lock up front); reads run in parallel on a
/// small pool of reader connections, which WAL mode keeps from blocking the writer.
///
/// A full disk refuses writes (`diskFull`) but never a lock's release: a ``DiskReserve`` beside
/// the database is freed for a release that finds the disk full.
public final class SQLiteStore: UnitOfWork, Sendable {
    /// Where and how.
    public struct Configuration: Sendable {
        /// The database file; its directory must exist and be writable.
        public var path: String
        /// Reader connections at most.
        public var readers: Int
        /// How long a request waits for the writer (or for a lock another process holds).
        public var busyTimeout: Duration
        /// The disk space kept in reserve for releasing locks on a full disk (`<path>-reserve`).
        /// A release writes a few pages (20 KiB measured); 1 MiB is room for dozens.
        public var reserveBytes: Int

        /// Creates a configuration.
        public init(path: String, readers: Int, busyTimeout: Duration, reserveBytes: Int = 1 << 20) {
            self.path = path
            self.readers = readers
            self.busyTimeout = busyTimeout
            self.reserveBytes = reserveBytes
        }
    }

    private let configuration: Configuration
    /// The one connection that writes; `writerGate` gives it to one thread at a time.
    private let writer: SQLiteConnection
    private let writerGate: PoolSlots
    private let readerSlots: PoolSlots
    private let idleReaders = Mutex<[SQLiteConnection]>([])

    /// Whether this store only reads (a source for `migrate-store`).
    private let readOnly: Bool
    /// The space kept for releases (none when read-only).
    private let reserve: DiskReserve?

    /// Opens the database and, for a server's store, creates it if needed and applies pending
    /// migrations, so a file that cannot be written is reported here, at startup. With
    /// `readOnly` the file must exist and is never created, migrated or written.
    ///
    /// The writer and the readers report `statehouse_store_pool_*` metrics through `metrics`
    /// (`pool="sqlite_writer"` and `pool="sqlite_readers"`), the reserve
    /// `statehouse_store_disk_reserve_bytes`; `logger` hears when the reserve is spent.
    public init(
        configuration: Configuration, readOnly: Bool = false, metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        logger: Logger
    ) throws(StoreError) {
        self.configuration = configuration
        self.readOnly = readOnly
        self.writerGate = PoolSlots(size: 1, pool: "sqlite_writer", factory: metrics)
        self.readerSlots = PoolSlots(size: max(1, configuration.readers), pool: "sqlite_readers", factory: metrics)
        guard !configuration.path.isEmpty, configuration.path != ":memory:", !configuration.path.hasPrefix("file:")
        else {
            throw StoreError(.fault, "storage.path must name a file, not \"\(configuration.path)\"")
        }
        do {
            let writer = try SQLiteConnection(
                path: configuration.path, busyTimeout: configuration.busyTimeout, mode: readOnly ? .source : .store)
            if !readOnly { _ = try Migration.apply(SQLiteMigrations.all, on: writer, dialect: .sqlite) }
            self.writer = writer
        } catch let error as SQLiteError {
            throw StoreError(error.storeError.kind, "\(configuration.path): \(error.message)")
        } catch {
            throw StoreError(.fault, "\(configuration.path): \(error)")
        }
        self.reserve =
            readOnly
            ? nil
            : DiskReserve(
                path: configuration.path + "-reserve", size: configuration.reserveBytes, metrics: metrics,
                logger: logger)
    }

    /// Runs `work` in `BEGIN IMMEDIATE … COMMIT` on the writer connection, once the disk space
    /// reserve is in place (`diskFull` when there is no room to make it again).
    public func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.write(work, releasing: false)
    }

    /// Runs `work` like `transaction`, without waiting for the reserve; when the disk is full,
    /// spends the reserve and runs `work` once more.
    public func releasingTransaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.write(work, releasing: true)
    }

    private func write<T>(_ work: (any Transaction) throws -> T, releasing: Bool) throws -> T {
        guard !self.readOnly, let reserve = self.reserve else {
            throw StoreError(.fault, "\(self.configuration.path) is opened read-only")
        }
        guard self.writerGate.acquire(timeout: self.configuration.busyTimeout) else {
            throw StoreError(.unavailable, "the database stayed busy for the busy timeout")
        }
        defer { self.writerGate.release() }
        guard releasing || reserve.ensure() else {
            throw StoreError(
                .diskFull,
                "no room for the \(reserve.size)-byte disk space reserve at \(reserve.path); only lock releases "
                    + "are written until there is")
        }
        do {
            return try self.run(work)
        } catch let error as StoreError where error.kind == .diskFull && releasing && reserve.spend() {
            return try self.run(work)
        }
    }

    /// Runs `work` in `BEGIN IMMEDIATE … COMMIT` on the writer connection (the caller holds it).
    private func run<T>(_ work: (any Transaction) throws -> T) throws -> T {
        let connection = self.writer
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            throw error.storeError
        }
        do {
            let result = try work(SQLTransaction(connection: connection, dialect: .sqlite))
            try connection.execute("COMMIT")
            return result
        } catch {
            try? connection.execute("ROLLBACK")
            if let error = error as? SQLiteError { throw error.storeError }
            throw error
        }
    }

    /// Runs `work` on a reader inside `BEGIN … COMMIT`: in WAL mode every statement then sees the
    /// database as of the first one.
    public func snapshot<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.withReader { connection in
            try connection.execute("BEGIN")
            do {
                let result = try work(SQLTransaction(connection: connection, dialect: .sqlite))
                try connection.execute("COMMIT")
                return result
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `work` (one read statement) on a reader connection, in parallel with the writer.
    public func read<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.withReader { try work(SQLTransaction(connection: $0, dialect: .sqlite)) }
    }

    /// Copies every page in the write-ahead log into the database file and empties the log, so
    /// that page images it held (old contents, before a rekey) are gone from disk; `false` when
    /// readers or another writer kept it from finishing within the busy timeout.
    public func truncateLog() throws(StoreError) -> Bool {
        guard !self.readOnly else { throw StoreError(.fault, "\(self.configuration.path) is opened read-only") }
        guard self.writerGate.acquire(timeout: self.configuration.busyTimeout) else {
            throw StoreError(.unavailable, "the database stayed busy for the busy timeout")
        }
        defer { self.writerGate.release() }
        do {
            // One row: busy (1 when it could not finish), log frames, frames checkpointed.
            let busy = try self.writer.rows("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int64(0) }
            return busy.first == 0
        } catch let error as SQLiteError {
            throw error.storeError
        } catch {
            throw StoreError(.fault, "\(error)")
        }
    }

    /// Checks that the database file answers a query on a reader connection.
    public func ping() throws(StoreError) {
        do {
            // Reads the schema page, so a file that cannot be read any more says so.
            try self.withReader { try $0.execute("SELECT count(*) FROM sqlite_master") }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.fault, "\(error)")
        }
    }

    /// Lends `body` a reader connection from the pool (opening one when none is idle).
    private func withReader<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        guard self.readerSlots.acquire(timeout: self.configuration.busyTimeout) else {
            throw StoreError(.unavailable, "no database reader free within the busy timeout")
        }
        defer { self.readerSlots.release() }
        let connection: SQLiteConnection
        if let idle = self.idleReaders.withLock({ $0.popLast() }) {
            connection = idle
        } else {
            do {
                connection = try SQLiteConnection(
                    path: self.configuration.path, busyTimeout: self.configuration.busyTimeout, mode: .source)
            } catch {
                throw error.storeError
            }
        }
        defer { self.idleReaders.withLock { $0.append(connection) } }
        do {
            return try body(connection)
        } catch let error as SQLiteError {
            throw error.storeError
        }
    }
}
