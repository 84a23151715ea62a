import CEpoll
import CoreMetrics
import Dispatch
import Logging
import Synchronization
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A hand-written HTTP/1.1 server over POSIX sockets. One event thread accepts connections and
/// watches, with epoll, every connection that waits for a request; a connection with input gets a
/// pool thread until it waits again. An idle connection costs a descriptor and a few hundred bytes,
/// never a thread, and when the server is full the longest-idle one makes room for a new client.
///
/// It parses, frames, enforces limits and timeouts and hands each complete request to one
/// ``HTTPResponder``. It knows nothing about what the responder does.
public final class HTTPServer: Sendable {
    private enum Phase {
        case idle
        case running(listeners: [Int32], addresses: [SocketAddress])
        case stopping
        case stopped
    }

    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    let metrics: HTTPMetrics?
    let registry: ConnectionRegistry
    /// The request-body bytes all connections may hold at once.
    let bodyBudget: BodyBudget
    private let phase = Mutex<Phase>(.idle)
    /// `max_connections`, or fewer when the open-file limit has no room for them (set by ``start()``).
    private let connectionLimit = Atomic<Int>(0)
    private let shuttingDown = Atomic<Bool>(false)
    /// Signalled once the event thread has taken in the connections still in the listen backlog
    /// at shutdown.
    private let acceptLoopDone = DispatchSemaphore(value: 0)
    /// Signalled when every connection has closed during a drain, or when they are cut.
    private let drainWake = DispatchSemaphore(value: 0)
    /// Set by ``cutConnections()``: a drain stops waiting.
    private let cut = Atomic<Bool>(false)
    /// The event thread's epoll set: listeners, parked connections, and a wake-up.
    private let epoll: Epoll
    /// Connections waiting for a request, without a thread.
    private let parked = Mutex(ParkingState())
    /// Threads for connections that have input.
    let workers: WorkerPool

    /// The TLS context when TLS is configured.
    let tls: TLSContext?

    /// A server that will answer every request with `responder`, recording request metrics
    /// through `metrics` when given. Fails when the TLS certificate or key cannot be used.
    public init(
        configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
        metrics: (any MetricsFactory)? = nil
    ) throws(ServerStartError) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.metrics = metrics.map { HTTPMetrics(factory: $0) }
        self.registry = ConnectionRegistry(gauge: self.metrics?.connections)
        self.bodyBudget = BodyBudget(
            capacity: max(configuration.maxBufferedBodyBytes, configuration.limits.maxBodyBytes))
        self.tls = try configuration.tls.map { (tls) throws(ServerStartError) in try TLSContext(tls) }
        self.workers = WorkerPool(
            stackSize: configuration.threadStackSize,
            eagerThreads: max(8, 4 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        do {
            self.epoll = try Epoll()
        } catch {
            throw ServerStartError(description: "cannot create the event set: \(error)")
        }
    }

    /// `true` once ``shutdown(drainTimeout:)`` has begun.
    var isShuttingDown: Bool { self.shuttingDown.load(ordering: .acquiring) }

    /// The addresses the server listens on (after ``start()``).
    public var addresses: [SocketAddress] {
        self.phase.withLock { phase in
            if case .running(_, let addresses) = phase { return addresses }
            return []
        }
    }

    /// Binds every address of the configured host, starts listening and accepting.
    ///
    /// With port 0 the first address picks a free port and the others reuse it.
    public func start() throws(ServerStartError) {
        // A peer that vanishes must fail the write with EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let resolved: [SocketAddress]
        do {
            resolved = try SocketAddress.resolve(host: self.configuration.host, port: self.configuration.port)
        } catch {
            throw ServerStartError(description: error.description)
        }
        var listeners: [Int32] = []
        var bound: [SocketAddress] = []
        var port = self.configuration.port
        for var address in resolved {
            if port != 0 { address.port = port }
            do {
                let fd = try Socket.listen(on: address, backlog: self.configuration.backlog)
                let local = try SocketAddress.local(of: fd)
                port = local.port
                listeners.append(fd)
                bound.append(local)
            } catch  where resolved.count > 1 && (error.code == EADDRNOTAVAIL || error.code == EAFNOSUPPORT) {
                // A name such as localhost may resolve to ::1 on a host without IPv6.
                self.logger.warning(
                    "skipping unavailable address", metadata: ["address": "\(address)", "error": "\(error)"])
            } catch {
                listeners.forEach(closeDescriptor)
                throw ServerStartError(description: "cannot listen on \(address): \(error)")
            }
        }
        guard !listeners.isEmpty else {
            throw ServerStartError(description: "no address of '\(self.configuration.host)' could be bound")
        }
        self.connectionLimit.store(self.raiseDescriptorLimit(), ordering: .releasing)
        do {
            for (index, listener) in listeners.enumerated() {
                _ = try syscall("fcntl") { fcntl(listener, F_SETFL, O_NONBLOCK) }
                try self.epoll.watch(listener, token: HTTPServer.listenerTokens | UInt64(index))
            }
            try self.epoll.watchWake(token: HTTPServer.wakeToken)
        } catch {
            listeners.forEach(closeDescriptor)
            throw ServerStartError(description: "cannot watch the listeners: \(error)")
        }
        self.phase.withLock { $0 = .running(listeners: listeners, addresses: bound) }
        do {
            try ThreadSpawner.spawn(stackSize: 256 << 10) { [self, listeners] in self.eventLoop(listeners) }
        } catch {
            listeners.forEach(closeDescriptor)
            throw ServerStartError(description: "cannot start the event thread: \(error)")
        }
    }

    /// Raises the open-file limit to make room for `max_connections` and what else the process
    /// opens; returns how many connections fit under it, warning when that is fewer.
    private func raiseDescriptorLimit() -> Int {
        let wanted = self.configuration.maxConnections + HTTPServer.reservedDescriptors
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return self.configuration.maxConnections
        }
        if limit.rlim_cur < rlim_t(wanted) {
            limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        let fitting = max(Int(clamping: limit.rlim_cur) - HTTPServer.reservedDescriptors, 64)
        guard fitting < self.configuration.maxConnections else { return self.configuration.maxConnections }
        self.logger.warning(
            "the open-file limit leaves room for fewer connections than max_connections; raise it (ulimit -n, LimitNOFILE=, docker --ulimit nofile=)",
            metadata: [
                "max_connections": "\(self.configuration.maxConnections)", "open_file_limit": "\(limit.rlim_cur)",
                "connections": "\(fitting)",
            ])
        return fitting
    }

    /// Stops accepting, lets in-flight requests finish for up to `drainTimeout` (idle kept-alive
    /// connections close at once), then cuts whatever is left. Returns whether every connection
    /// finished on its own.
    @discardableResult
    public func shutdown(drainTimeout: Duration) -> Bool {
        self.stopAccepting()
        return self.drain(timeout: drainTimeout)
    }

    /// Closes the listeners and marks the server as shutting down: from here on every response
    /// carries `Connection: close` and idle connections are closed. Returns at once.
    public func stopAccepting() {
        let listeners: [Int32]? = self.phase.withLock { phase in
            guard case .running(let listeners, _) = phase else { return nil }
            phase = .stopping
            return listeners
        }
        guard let listeners else { return }
        self.shuttingDown.store(true, ordering: .releasing)
        self.epoll.wake()
        self.acceptLoopDone.wait()
        listeners.forEach(closeDescriptor)
    }

    /// Cuts every open connection at once (the peers see them close) and makes a
    /// ``drain(timeout:)`` in progress, or one that starts later, return at once, without waiting
    /// for connection threads still busy with the store.
    public func cutConnections() {
        self.cut.store(true, ordering: .releasing)
        self.registry.abortAll()
        self.drainWake.signal()
    }

    /// After ``stopAccepting()``: waits up to `timeout` for open connections to finish, then cuts
    /// whatever is left. Returns whether every connection finished on its own.
    @discardableResult
    public func drain(timeout: Duration) -> Bool {
        guard
            self.phase.withLock({ phase in
                if case .stopping = phase { return true }
                return false
            })
        else { return true }
        self.registry.notifyWhenAllClosed(self.drainWake)
        let drained =
            self.drainWake.wait(timeout: timeout.fromNow) == .success && !self.cut.load(ordering: .acquiring)
        if self.cut.load(ordering: .acquiring) {
            self.phase.withLock { $0 = .stopped }
            return false
        }
        if !drained {
            self.logger.warning(
                "drain timeout reached; closing remaining connections",
                metadata: ["connections": "\(self.registry.count)"])
            self.registry.abortAll()
            _ = self.registry.waitForAll(timeout: .seconds(5))
        }
        self.phase.withLock { $0 = .stopped }
        return drained
    }

    /// Descriptors kept free of connections: listeners, the store's connections, files.
    private static let reservedDescriptors = 256
    /// Tokens of the listeners' events (the index in the low bits) and of the wake-up.
    private static let listenerTokens: UInt64 = 1 << 63
    private static let wakeToken: UInt64 = .max

    /// What the event thread and the connection threads share about parked connections.
    struct ParkingState {
        var lot = ParkingLot<Connection>()
        /// Cleared at shutdown: only lingering connections park from then on.
        var acceptsWaiting = true
        /// Set when the event thread ends: nothing parks any more.
        var closed = false
        /// When the event thread will wake up by itself; `nil` when it waits for events only.
        var plannedWake: ContinuousClock.Instant? = nil
    }

    /// The event thread: accepts, hands connections with input to the workers, lets lingering
    /// connections read, closes those whose wait ran out, and gives queued jobs a thread when the
    /// pool stalls. At shutdown it takes in the listen backlog and lets the waiting connections go,
    /// then runs until the last lingering connection has closed.
    private func eventLoop(_ listeners: [Int32]) {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        // When to look again at jobs waiting for a thread.
        var poolCheck: ContinuousClock.Instant? = nil
        var accepting = true
        while true {
            let deadline = self.parked.withLock { state in
                state.plannedWake = [state.lot.nextDeadline, poolCheck].compactMap { $0 }.min()
                return state.plannedWake
            }
            for event in self.epoll.wait(into: &events, until: deadline) {
                let token = event.data.u64
                if token == HTTPServer.wakeToken {
                    self.epoll.consumeWake()
                } else if token & HTTPServer.listenerTokens != 0 {
                    guard accepting else { continue }
                    let listener = listeners[Int(token & ~HTTPServer.listenerTokens)]
                    // A bounded batch, so parked connections with input are not kept waiting.
                    for _ in 0..<64 {
                        guard self.acceptOne(from: listener) else { break }
                    }
                } else {
                    self.wakeUp(token)
                }
            }
            self.expireParked()
            poolCheck = self.workers.growIfStalled(now: .now)
            if accepting && self.isShuttingDown {
                accepting = false
                self.stopWaiting(listeners)
            }
            if !accepting && poolCheck == nil {
                // Done once nothing lingers and no job waits for a thread (only this thread submits
                // jobs); a connection that closes later lingers on its own thread.
                let done = self.parked.withLock { state in
                    state.closed = state.lot.count == 0
                    return state.closed
                }
                if done { return }
            }
        }
    }

    /// At shutdown: serves what the listen backlog holds, then closes every connection waiting for
    /// a request, serving those whose request has just arrived.
    private func stopWaiting(_ listeners: [Int32]) {
        // Connections the kernel already completed are still in the backlog; closing the
        // listeners would reset them. Take them in and serve whatever they have sent.
        for listener in listeners {
            while self.acceptOne(from: listener) {}
            self.epoll.remove(listener)
        }
        self.acceptLoopDone.signal()
        let waiting = self.parked.withLock { state in
            state.acceptsWaiting = false
            let waiting = state.lot.removeAll(in: [.keptAlive, .fresh])
            self.metrics?.idleConnections.record(state.lot.count)
            return waiting
        }
        for connection in waiting {
            if Socket.hasInput(connection.fd) {
                self.dispatch(connection)
            } else {
                connection.end()
            }
        }
    }

    /// Parks `connection` in `queue` until input arrives or `deadline` passes. Returns `false`,
    /// leaving the connection to its caller, once the server shuts down (lingering connections:
    /// once the event thread has ended).
    func park(_ connection: Connection, until deadline: ContinuousClock.Instant, queue: ParkingLot<Connection>.Queue)
        -> Bool
    {
        enum Outcome {
            case parked(wake: Bool)
            case refused
            case failed(SystemError)
        }
        let outcome: Outcome = self.parked.withLock { state in
            guard !state.closed, state.acceptsWaiting || queue == .lingering else { return .refused }
            let token = state.lot.insert(connection, descriptor: connection.fd, queue: queue, deadline: deadline)
            // Armed under the lock: the descriptor cannot be closed and reused meanwhile.
            do throws(SystemError) {
                try self.epoll.armOnce(connection.fd, token: token, added: connection.inEpoll)
            } catch {
                _ = state.lot.remove(token: token)
                return .failed(error)
            }
            connection.inEpoll = true
            self.metrics?.idleConnections.record(state.lot.count)
            let earlier = state.plannedWake.map { deadline < $0 } ?? true
            if earlier { state.plannedWake = deadline }
            return .parked(wake: earlier)
        }
        switch outcome {
        case .parked(let wake):
            if wake { self.epoll.wake() }
        case .refused:
            return false
        case .failed(let error):
            self.logger.error(
                "cannot watch a connection", metadata: ["peer": "\(connection.peer)", "error": "\(error)"])
            connection.end()
        }
        return true
    }

    /// A parked connection has input, or its peer closed: a worker takes it up, or, lingering, it
    /// drops the input here.
    private func wakeUp(_ token: UInt64) {
        let found = self.parked.withLock { state in
            let found = state.lot.remove(token: token)
            self.metrics?.idleConnections.record(state.lot.count)
            return found
        }
        guard let (connection, queue) = found else { return }
        if queue == .lingering {
            connection.linger()
        } else {
            self.dispatch(connection)
        }
    }

    /// Closes the parked connections whose wait has run out, without a word.
    private func expireParked() {
        let expired = self.parked.withLock { state in
            let expired = state.lot.removeExpired(now: .now)
            if !expired.isEmpty { self.metrics?.idleConnections.record(state.lot.count) }
            return expired
        }
        for connection in expired { connection.end() }
    }

    /// Serves `connection` on a worker thread.
    private func dispatch(_ connection: Connection) {
        do {
            try self.workers.submit { connection.serve() }
        } catch {
            self.logger.error("cannot start a connection thread", metadata: ["error": "\(error)"])
            connection.end()
        }
    }

    /// Accepts one connection and parks it until its request arrives (at shutdown, serves it at
    /// once); returns whether one was accepted.
    @discardableResult
    private func acceptOne(from listener: Int32) -> Bool {
        let fd: Int32
        let peer: SocketAddress
        do {
            (fd, peer) = try Socket.accept(listener)
        } catch {
            switch error.code {
            case ECONNABORTED, EPROTO:
                return true
            case EAGAIN:
                return false
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors: back off briefly instead of spinning on the ready listener.
                self.logger.error("accept failed; pausing", metadata: ["error": "\(error)"])
                usleep(10_000)
                return false
            default:
                self.logger.error("accept failed", metadata: ["error": "\(error)"])
                return false
            }
        }
        guard self.register(fd, peer: peer) else { return true }
        let connection = Connection(fd: fd, peer: peer, server: self, acceptedAt: .now)
        if self.isShuttingDown
            || !self.park(connection, until: .now + self.configuration.headerTimeout, queue: .fresh)
        {
            self.dispatch(connection)
        }
        return true
    }

    /// Counts a new connection under the caps, closing the longest-waiting parked connection when
    /// the server is full; answers 503 and returns `false` when it cannot.
    private func register(_ fd: Int32, peer: SocketAddress) -> Bool {
        let host = peer.host
        let limit = self.connectionLimit.load(ordering: .relaxed)
        let perHostLimit = self.configuration.maxConnectionsPerAddress
        var refusal = self.registry.register(fd, host: host, limit: limit, perHostLimit: perHostLimit)
        if refusal == .full, let victim = self.parked.withLock({ $0.lot.removeLongestWaiting() }) {
            self.metrics?.evictedConnections.increment()
            victim.end()
            refusal = self.registry.register(fd, host: host, limit: limit, perHostLimit: perHostLimit)
        }
        switch refusal {
        case nil:
            return true
        case .full:
            self.metrics?.rejectedConnections.increment()
            self.reject(fd, peer: peer, reason: "connection limit reached", "too many open connections")
        case .addressFull:
            self.metrics?.rejectedPerAddress.increment()
            self.reject(
                fd, peer: peer, reason: "connection limit per address reached",
                "too many open connections from your address")
        }
        return false
    }

    /// Answers a connection over the cap with 503 and `Retry-After` without giving it a thread.
    private func reject(_ fd: Int32, peer: SocketAddress, reason: String, _ message: String) {
        self.logger.warning("rejecting connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        // With TLS the 503 would need a handshake first: the connection is simply closed.
        guard self.tls == nil else {
            closeDescriptor(fd)
            return
        }
        let response = ResponseWriter.errorResponse(
            HTTPError(.serviceUnavailable, "server busy: \(message)"), retryAfterSeconds: 1)
        var date = HTTPDate()
        let head = ResponseWriter.head(
            for: response, server: self.configuration.serverName, date: date.now(), keepAlive: false,
            http10KeepAlive: false)
        _ = try? syscall("fcntl") { fcntl(fd, F_SETFL, O_NONBLOCK) }
        try? Socket.write(fd, head, response.body, timeout: .zero)
        _ = try? syscall("shutdown") { Glibc.shutdown(fd, Int32(SHUT_WR)) }
        // Drop whatever the client already sent, so the close does not turn into a reset.
        var scratch = [UInt8](repeating: 0, count: 4096)
        while (scratch.withUnsafeMutableBytes { buffer in
            (try? syscall("read") { read(fd, buffer.baseAddress, buffer.count) }) ?? 0
        }) > 0 {}
        closeDescriptor(fd)
    }
}

/// The server could not start listening.
public struct ServerStartError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the address.
    public let description: String
}
