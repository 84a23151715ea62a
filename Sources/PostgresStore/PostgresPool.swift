import Application
import CoreMetrics
import Synchronization

/// A bounded pool of connections, opened on demand. A connection that failed is closed rather
/// than returned, so the next checkout opens a fresh one (reconnection after a dropped link).
/// Its slots report `statehouse_store_pool_*` metrics with `pool="postgres"`.
final class PostgresPool: Sendable {
    private let conninfo: String
    private let checkoutTimeout: Duration
    /// One slot per connection; a checkout holds one until checkin.
    private let slots: PoolSlots
    private let idle = Mutex<[PostgresConnection]>([])

    init(conninfo: String, size: Int, checkoutTimeout: Duration, metrics: any MetricsFactory) {
        self.conninfo = conninfo
        self.checkoutTimeout = checkoutTimeout
        self.slots = PoolSlots(size: size, pool: "postgres", factory: metrics)
    }

    /// An idle connection or a new one, once a slot is free within the checkout timeout (or
    /// `limit`, when shorter); `unavailable` when none frees up or the database cannot be reached.
    func checkout(waitingAtMost limit: Duration? = nil) throws(StoreError) -> PostgresConnection {
        guard self.slots.acquire(timeout: min(limit ?? self.checkoutTimeout, self.checkoutTimeout)) else {
            throw StoreError(.unavailable, "no database connection free within the checkout timeout")
        }
        if let connection = self.idle.withLock({ $0.popLast() }) {
            return connection
        }
        do {
            return try PostgresConnection(conninfo: self.conninfo)
        } catch {
            self.slots.release()
            throw StoreError(.unavailable, "cannot connect to the database: \(error.message)")
        }
    }

    /// A connection that moved more than this since its checkout is closed instead of pooled:
    /// libpq keeps its buffers at their largest size for the connection's life.
    static let largeTransfer = 4 << 20

    /// Returns a connection: kept for reuse when healthy, writable and lean, closed (freeing its
    /// slot) otherwise.
    ///
    /// A broken or read-only connection also closes every idle one: they almost always broke
    /// together (the database restarted, or failed over and the old primary came back as a
    /// standby), and each would otherwise fail one more request.
    func checkin(_ connection: PostgresConnection) {
        if !connection.isReusable {
            // Returned, so closed after the lock is released.
            _ = self.idle.withLock { idle in
                defer { idle = [] }
                return idle
            }
        } else if connection.transferred <= PostgresPool.largeTransfer {
            connection.transferred = 0
            self.idle.withLock { $0.append(connection) }
        }
        self.slots.release()
    }
}
