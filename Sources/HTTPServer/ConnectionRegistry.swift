import CoreMetrics
import Dispatch
import Synchronization
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Counts and tracks open connections: enforces the cap and lets shutdown wait for them.
final class ConnectionRegistry: Sendable {
    private let open = Mutex<Set<Int32>>([])
    private let group = DispatchGroup()
    /// Follows the number of open connections, when metrics are on.
    private let gauge: Gauge?

    init(gauge: Gauge? = nil) {
        self.gauge = gauge
    }

    /// The number of open connections.
    var count: Int { self.open.withLock { $0.count } }

    /// Records `fd` unless `limit` connections are already open.
    func register(_ fd: Int32, limit: Int) -> Bool {
        let accepted = self.open.withLock { open in
            guard open.count < limit else { return false }
            open.insert(fd)
            self.gauge?.record(open.count)
            return true
        }
        if accepted { self.group.enter() }
        return accepted
    }

    /// Closes `fd`, after lingering for up to `lingering` when given; the connection keeps its
    /// slot under the cap until then. The descriptor is forgotten under the lock before it is
    /// closed, so a forced shutdown can never touch a descriptor number that has been reused.
    func close(_ fd: Int32, lingering: Duration?) {
        if let lingering {
            Socket.linger(fd, for: lingering)
        }
        self.open.withLock { open in
            open.remove(fd)
            self.gauge?.record(open.count)
        }
        closeDescriptor(fd)
        self.group.leave()
    }

    /// Signals `semaphore` once every connection has closed (at once if none is open).
    func notifyWhenAllClosed(_ semaphore: DispatchSemaphore) {
        self.group.notify(queue: .global()) { semaphore.signal() }
    }

    /// Waits until every connection has closed, or `timeout` passes. Returns whether all closed.
    func waitForAll(timeout: Duration) -> Bool {
        self.group.wait(timeout: timeout.fromNow) == .success
    }

    /// Shuts down (without closing) every open connection so its thread wakes and exits.
    func abortAll() {
        self.open.withLock { open in
            for fd in open {
                _ = try? syscall("shutdown") { shutdown(fd, Int32(SHUT_RDWR)) }
            }
        }
    }
}
