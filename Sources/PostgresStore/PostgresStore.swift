import Application
import CoreMetrics
import Domain
import SQLStoreSupport
import SystemSupport

/// The PostgreSQL adapter: a connection pool and the unit of work over it.
///
/// Each transaction is one `BEGIN … COMMIT` on one pooled connection; decisions take the
/// state's row with `SELECT … FOR UPDATE`, so several servers can share one database.
public final class PostgresStore: UnitOfWork, Sendable {
    /// Pool and session settings.
    public struct Configuration: Sendable {
        /// A libpq connection URL or keyword string, such as
        /// `postgresql://statehouse@db/statehouse`.
        public var url: String
        /// Most connections open at once.
        public var poolSize: Int
        /// How long a request waits for a free connection before it gets 503.
        public var checkoutTimeout: Duration
        /// The server-side `statement_timeout` and `lock_timeout` of every session.
        public var statementTimeout: Duration

        /// Creates a configuration.
        public init(url: String, poolSize: Int, checkoutTimeout: Duration, statementTimeout: Duration) {
            self.url = url
            self.poolSize = poolSize
            self.checkoutTimeout = checkoutTimeout
            self.statementTimeout = statementTimeout
        }
    }

    /// Transactions that hit a deadlock or serialization failure are run again this often.
    private static let retries = 3

    private let pool: PostgresPool
    private let sessionSetup: String

    /// A store for `configuration`, reporting its pool through `metrics`. Nothing connects until
    /// the first use.
    public init(configuration: Configuration, metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.pool = PostgresPool(
            conninfo: configuration.url, size: configuration.poolSize, checkoutTimeout: configuration.checkoutTimeout,
            metrics: metrics)
        let milliseconds = configuration.statementTimeout.milliseconds
        self.sessionSetup = "SET statement_timeout = \(milliseconds); SET lock_timeout = \(milliseconds)"
    }

    /// Applies pending migrations; returns the versions applied.
    @discardableResult
    public func migrate() throws(StoreError) -> [Int] {
        let connection = try self.pool.checkout()
        defer { self.pool.checkin(connection) }
        do {
            return try Migration.apply(PostgresMigrations.all, on: connection, dialect: .postgres)
        } catch let error as PostgresError {
            throw error.storeError
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.fault, "\(error)")
        }
    }

    /// Checks that the database answers and takes writes, waiting at most a second for a pooled
    /// connection (a readiness probe must not hang on a busy pool). A pooled connection found
    /// dead (the database restarted) or read-only (a standby, or a demoted primary) is replaced
    /// and the check run again.
    public func ping() throws(StoreError) {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try self.pool.checkout(waitingAtMost: .seconds(1))
            defer { self.pool.checkin(connection) }
            do {
                try connection.requireWritable()
                return
            } catch {
                if (error.connectionBroken || error.sqlState == PostgresError.readOnly) && attempt <= Self.retries {
                    continue
                }
                throw error.storeError
            }
        }
    }

    /// Runs `work` in `BEGIN … COMMIT` on one pooled connection. Deadlocks and serialization
    /// failures run it again (up to three times), as does a connection found dead before
    /// anything ran; other failures roll back and are rethrown, SQLSTATEs translated.
    public func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try self.pool.checkout()
            defer { self.pool.checkin(connection) }
            do {
                try self.begin(connection)
            } catch {
                // Nothing ran yet: a connection that died while idle is replaced and the
                // transaction started again on a fresh one.
                if error.connectionBroken && attempt <= Self.retries { continue }
                throw error.storeError
            }
            do {
                let result = try work(SQLTransaction(connection: connection, dialect: .postgres))
                try connection.execute("COMMIT")
                return result
            } catch let error as PostgresError {
                if connection.isHealthy { try? connection.execute("ROLLBACK") }
                if error.isRetryable && attempt <= Self.retries { continue }
                throw error.storeError
            } catch {
                if connection.isHealthy { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Runs `work` (one read statement) in autocommit mode: one round trip instead of three.
    /// A connection found dead is replaced and the read run again.
    public func read<T>(_ work: (any Transaction) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try self.pool.checkout()
            defer { self.pool.checkin(connection) }
            do {
                try self.configure(connection)
                return try work(SQLTransaction(connection: connection, dialect: .postgres))
            } catch let error as PostgresError {
                if (error.connectionBroken || error.isRetryable) && attempt <= Self.retries { continue }
                throw error.storeError
            }
        }
    }

    /// Runs `work` in one read-only REPEATABLE READ transaction: every query sees the database
    /// as it was when the first one ran.
    public func snapshot<T>(_ work: (any Transaction) throws -> T) throws -> T {
        let connection = try self.pool.checkout()
        defer { self.pool.checkin(connection) }
        do {
            try self.configure(connection)
            try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        } catch {
            throw error.storeError
        }
        do {
            let result = try work(SQLTransaction(connection: connection, dialect: .postgres))
            try connection.execute("COMMIT")
            return result
        } catch {
            if connection.isHealthy { try? connection.execute("ROLLBACK") }
            if let error = error as? PostgresError { throw error.storeError }
            throw error
        }
    }

    private func configure(_ connection: PostgresConnection) throws(PostgresError) {
        if !connection.isConfigured {
            try connection.execute(self.sessionSetup)
            connection.isConfigured = true
        }
        if connection.preparedStatementsStale {
            try connection.resetPreparedStatements()
        }
    }

    private func begin(_ connection: PostgresConnection) throws(PostgresError) {
        try self.configure(connection)
        try connection.execute("BEGIN")
    }
}
