import CoreMetrics
import Dispatch
import Synchronization
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Counts and tracks open connections: enforces the caps and lets shutdown wait for them.
final class ConnectionRegistry: Sendable {
    private struct Open {
        /// Each open descriptor, with its peer's host.
        var hosts: [Int32: String] = [:]
        var perHost: [String: Int] = [:]
        /// Signalled when the last connection closes.
        var whenEmpty: [DispatchSemaphore] = []
    }

    /// Why a connection was not registered.
    enum Refusal {
        /// `max_connections` are open.
        case full
        /// `max_connections_per_address` are open from the peer's address.
        case addressFull
    }

    private let open = Mutex(Open())
    private let group = DispatchGroup()
    /// Follows the number of open connections, when metrics are on.
    private let gauge: Gauge?

    init(gauge: Gauge? = nil) {
        self.gauge = gauge
    }

    /// The number of open connections.
    var count: Int { self.open.withLock { $0.hosts.count } }

    /// Records `fd`, a connection from `host`, unless `limit` connections are already open or
    /// `perHostLimit` (when not 0) from `host`; returns why not, `nil` when recorded.
    func register(_ fd: Int32, host: String, limit: Int, perHostLimit: Int) -> Refusal? {
        let refusal: Refusal? = self.open.withLock { open in
            guard open.hosts.count < limit else { return .full }
            let fromHost = open.perHost[host, default: 0]
            guard perHostLimit == 0 || fromHost < perHostLimit else { return .addressFull }
            open.hosts[fd] = host
            open.perHost[host] = fromHost + 1
            self.gauge?.record(open.hosts.count)
            return nil
        }
        if refusal == nil { self.group.enter() }
        return refusal
    }

    /// Closes `fd`, after lingering for up to `lingering` when given; the connection keeps its
    /// slot under the cap until then. The descriptor is forgotten under the lock before it is
    /// closed, so a forced shutdown can never touch a descriptor number that has been reused.
    func close(_ fd: Int32, lingering: Duration?) {
        if let lingering {
            Socket.linger(fd, for: lingering)
        }
        let waiters = self.open.withLock { open in
            if let host = open.hosts.removeValue(forKey: fd) {
                let left = open.perHost[host, default: 1] - 1
                open.perHost[host] = left == 0 ? nil : left
            }
            self.gauge?.record(open.hosts.count)
            guard open.hosts.isEmpty else { return [DispatchSemaphore]() }
            defer { open.whenEmpty = [] }
            return open.whenEmpty
        }
        closeDescriptor(fd)
        self.group.leave()
        for waiter in waiters { waiter.signal() }
    }

    /// Signals `semaphore` once every connection has closed (at once if none is open), from the
    /// thread that closes the last one, not on a Dispatch queue: a drain waited for on a blocked
    /// global-queue thread must not need another one free to end.
    func notifyWhenAllClosed(_ semaphore: DispatchSemaphore) {
        self.open.withLock { open in
            if open.hosts.isEmpty {
                semaphore.signal()
            } else {
                open.whenEmpty.append(semaphore)
            }
        }
    }

    /// Waits until every connection has closed, or `timeout` passes. Returns whether all closed.
    func waitForAll(timeout: Duration) -> Bool {
        self.group.wait(timeout: timeout.fromNow) == .success
    }

    /// Shuts down (without closing) every open connection, so that whoever waits on it (its thread,
    /// or the event thread for a parked one) sees it end and closes it.
    func abortAll() {
        self.open.withLock { open in
            for fd in open.hosts.keys {
                _ = try? syscall("shutdown") { shutdown(fd, Int32(SHUT_RDWR)) }
            }
        }
    }
}
