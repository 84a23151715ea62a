import Application
import CoreMetrics
import Dispatch
import InMemoryStore
import Logging
import PostgresStore
import SQLiteStore
import SystemSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Builds the configured store and brings its schema up to date.
enum StoreFactory {
    /// The store, ready to use, its versions sealed and opened with `keys`; for PostgreSQL,
    /// migrations have run. An unreachable database is retried until `connect_timeout`, then
    /// reported.
    static func make(
        _ storage: StatehouseConfiguration.Storage, keys: any KeyProvider, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) throws(StoreError) -> any UnitOfWork {
        EncryptingStore(
            wrapping: try self.open(storage, logger: logger, metrics: metrics), keys: keys, factory: metrics)
    }

    /// The store as it is, contents not sealed or opened; for PostgreSQL, migrations have run.
    static func open(
        _ storage: StatehouseConfiguration.Storage, logger: Logger,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) throws(StoreError) -> any UnitOfWork {
        switch storage.driver {
        case .memory:
            logger.warning("storage.driver = memory: states live in this process only and are lost on exit")
            return InMemoryStore()
        case .sqlite:
            try self.createDirectory(of: storage.path)
            return try SQLiteStore(
                configuration: .init(
                    path: storage.path, readers: storage.poolSize, busyTimeout: storage.checkoutTimeout),
                metrics: metrics, logger: logger)
        case .postgres:
            let store = PostgresStore(
                configuration: PostgresStore.Configuration(
                    url: storage.url, poolSize: storage.poolSize, checkoutTimeout: storage.checkoutTimeout,
                    statementTimeout: storage.statementTimeout),
                metrics: metrics)
            let deadline = ContinuousClock.now + storage.connectTimeout
            while true {
                do {
                    let applied = try store.migrate()
                    if !applied.isEmpty {
                        logger.notice("database migrated", metadata: ["versions": "\(applied)"])
                    }
                    return store
                } catch  where error.kind == .unavailable && ContinuousClock.now < deadline {
                    logger.warning("database not reachable yet; retrying", metadata: ["error": .string(error.message)])
                    _ = DispatchSemaphore(value: 0).wait(timeout: .now() + 1)
                }
            }
        }
    }

    /// A store to copy from, its versions opened with `keys`: opened as it is, never created,
    /// migrated or written (an SQLite file must exist).
    static func openSource(_ storage: StatehouseConfiguration.Storage, keys: any KeyProvider) throws(StoreError)
        -> any UnitOfWork
    {
        EncryptingStore(wrapping: try self.openRaw(storage), keys: keys)
    }

    private static func openRaw(_ storage: StatehouseConfiguration.Storage) throws(StoreError) -> any UnitOfWork {
        switch storage.driver {
        case .memory:
            throw StoreError(.fault, "a memory store has nothing to copy")
        case .sqlite:
            return try SQLiteStore(
                configuration: .init(path: storage.path, readers: 1, busyTimeout: storage.checkoutTimeout),
                readOnly: true, logger: Logger(label: "statehouse"))
        case .postgres:
            return PostgresStore(
                configuration: PostgresStore.Configuration(
                    url: storage.url, poolSize: 1, checkoutTimeout: storage.checkoutTimeout,
                    statementTimeout: storage.statementTimeout))
        }
    }

    /// A description of the store for logs, without any password.
    static func describe(_ storage: StatehouseConfiguration.Storage) -> String {
        switch storage.driver {
        case .memory: "memory"
        case .sqlite: "sqlite \(storage.path)"
        case .postgres: "postgres \(redactingPassword(storage.url))"
        }
    }

    /// Creates the directory that holds `path` (and its parents), saying why when it cannot.
    static func createDirectory(of path: String) throws(StoreError) {
        var components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        guard !components.isEmpty else { return }
        var current = path.hasPrefix("/") ? "" : "."
        if path.hasPrefix("/") { components = components.dropFirst() }
        for component in components where !component.isEmpty {
            current += "/" + component
            if mkdir(current, 0o750) == 0 { continue }
            let code = errno
            // stat lives in SystemSupport: here, with Foundation in the module's imports, the release
            // build finds `struct stat` in CoreFoundation, which this file does not import.
            if code == EEXIST && FileIO.isDirectory(current) { continue }
            let reason = code == EEXIST ? "it exists and is not a directory" : String(cString: strerror(code))
            throw StoreError(.fault, "cannot create the data directory \(current): \(reason)")
        }
    }
}

/// The URL or keyword string with every password replaced by `***`: in the user info
/// (`postgresql://user:secret@host/db`), in a `password=` query parameter or keyword.
func redactingPassword(_ url: String) -> String {
    var text = url
    if let scheme = text.firstRange(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
        let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
    {
        text.replaceSubrange(text.index(after: colon)..<at, with: "***")
    }
    var searchStart = text.startIndex
    while let found = text[searchStart...].firstRange(of: "password=") {
        let end = text[found.upperBound...].firstIndex { $0 == "&" || $0 == " " } ?? text.endIndex
        text.replaceSubrange(found.upperBound..<end, with: "***")
        searchStart = text.index(found.upperBound, offsetBy: 3)
    }
    return text
}
