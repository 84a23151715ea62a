import Application
import Dispatch
import Synchronization

/// A bounded pool of connections, opened on demand. A connection that failed is closed rather
/// than returned, so the next checkout opens a fresh one (reconnection after a dropped link).
final class PostgresPool: Sendable {
    private let conninfo: String
    private let checkoutTimeout: Duration
    /// One permit per connection slot; a checkout holds one until checkin or discard.
    private let slots: DispatchSemaphore
    private let idle = Mutex<[PostgresConnection]>([])
    private let size: Int
    private let inUse = Atomic<Int>(0)
    private let waiting = Atomic<Int>(0)

    init(conninfo: String, size: Int, checkoutTimeout: Duration) {
        self.conninfo = conninfo
        self.size = size
        self.checkoutTimeout = checkoutTimeout
        self.slots = DispatchSemaphore(value: size)
    }

    /// Connections checked out, the pool size, and callers waiting, for metrics and tests.
    var usage: (inUse: Int, size: Int, waiting: Int) {
        (self.inUse.load(ordering: .relaxed), self.size, self.waiting.load(ordering: .relaxed))
    }

    /// An idle connection or a new one, once a slot is free within the checkout timeout;
    /// `unavailable` when none frees up or the database cannot be reached.
    func checkout() throws(StoreError) -> PostgresConnection {
        let (seconds, attoseconds) = self.checkoutTimeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        self.waiting.add(1, ordering: .relaxed)
        let acquired = self.slots.wait(timeout: .now() + .nanoseconds(nanoseconds))
        self.waiting.subtract(1, ordering: .relaxed)
        guard acquired == .success else {
            throw StoreError(.unavailable, "no database connection free within the checkout timeout")
        }
        if let connection = self.idle.withLock({ $0.popLast() }) {
            self.inUse.add(1, ordering: .relaxed)
            return connection
        }
        do {
            let connection = try PostgresConnection(conninfo: self.conninfo)
            self.inUse.add(1, ordering: .relaxed)
            return connection
        } catch {
            self.slots.signal()
            throw StoreError(.unavailable, "cannot connect to the database: \(error.message)")
        }
    }

    /// A connection that moved more than this since its checkout is closed instead of pooled:
    /// libpq keeps its buffers at their largest size for the connection's life.
    static let largeTransfer = 4 << 20

    /// Returns a connection: kept for reuse when healthy and lean, closed (freeing its slot)
    /// otherwise.
    func checkin(_ connection: PostgresConnection) {
        self.inUse.subtract(1, ordering: .relaxed)
        if connection.isHealthy && connection.transferred <= PostgresPool.largeTransfer {
            connection.transferred = 0
            self.idle.withLock { $0.append(connection) }
        }
        self.slots.signal()
    }
}
