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

/// A hand-written HTTP/1.1 server over POSIX sockets: one thread accepts, and every connection
/// gets its own thread at once.
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
    private let shuttingDown = Atomic<Bool>(false)
    private let acceptLoopDone = DispatchSemaphore(value: 0)
    /// Signalled when every connection has closed during a drain, or when they are cut.
    private let drainWake = DispatchSemaphore(value: 0)
    /// Set by ``cutConnections()``: a drain stops waiting.
    private let cut = Atomic<Bool>(false)
    /// Read end of a pipe that becomes readable when shutdown begins; idle connections and the
    /// accept loop poll it.
    let wakeReader: Int32
    private let wakeWriter: Int32

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
        var fds: [Int32] = [0, 0]
        do {
            _ = try syscall("pipe") { pipe(&fds) }
            for fd in fds {
                _ = try syscall("fcntl") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
            }
        } catch {
            throw ServerStartError(description: "cannot create the wake pipe: \(error)")
        }
        self.wakeReader = fds[0]
        self.wakeWriter = fds[1]
    }

    deinit {
        closeDescriptor(self.wakeReader)
        closeDescriptor(self.wakeWriter)
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
        self.phase.withLock { $0 = .running(listeners: listeners, addresses: bound) }
        do {
            try ThreadSpawner.spawn(stackSize: 256 << 10) { [self, listeners] in
                self.acceptLoop(listeners)
                self.acceptLoopDone.signal()
            }
        } catch {
            listeners.forEach(closeDescriptor)
            throw ServerStartError(description: "cannot start the accept thread: \(error)")
        }
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
        var byte: UInt8 = 1
        _ = try? syscall("write") { write(self.wakeWriter, &byte, 1) }
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

    private func acceptLoop(_ listeners: [Int32]) {
        var descriptors = listeners.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        descriptors.append(pollfd(fd: self.wakeReader, events: Int16(POLLIN), revents: 0))
        while !self.isShuttingDown {
            do {
                _ = try syscall("poll") { poll(&descriptors, nfds_t(descriptors.count), -1) }
            } catch {
                self.logger.error("poll on listeners failed", metadata: ["error": "\(error)"])
                continue
            }
            if descriptors.last!.revents != 0 { break }
            for index in listeners.indices where descriptors[index].revents != 0 {
                self.acceptOne(from: listeners[index])
            }
        }
        // Connections the kernel already completed are still in the backlog; closing the
        // listeners would reset them. Take them in and serve whatever they have sent.
        for listener in listeners {
            _ = try? syscall("fcntl") { fcntl(listener, F_SETFL, O_NONBLOCK) }
            while self.acceptOne(from: listener) {}
        }
    }

    /// Accepts one connection and starts serving it; returns whether one was accepted.
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
        // An accepted socket must block: on Linux it does not inherit the listener's O_NONBLOCK.
        guard self.registry.register(fd, limit: self.configuration.maxConnections) else {
            self.metrics?.rejectedConnections.increment()
            self.reject(fd, peer: peer, reason: "connection limit reached")
            return true
        }
        do {
            try ThreadSpawner.spawn(stackSize: self.configuration.threadStackSize) { [self] in
                guard let connection = Connection.open(fd: fd, peer: peer, server: self) else {
                    self.registry.close(fd, lingering: nil)
                    return
                }
                connection.run()
            }
        } catch {
            self.logger.error("cannot start a connection thread", metadata: ["error": "\(error)"])
            self.registry.close(fd, lingering: nil)
        }
        return true
    }

    /// Answers a connection over the cap with 503 and `Retry-After` without giving it a thread.
    private func reject(_ fd: Int32, peer: SocketAddress, reason: String) {
        self.logger.warning("rejecting connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        // With TLS the 503 would need a handshake first: the connection is simply closed.
        guard self.tls == nil else {
            closeDescriptor(fd)
            return
        }
        let response = ResponseWriter.errorResponse(
            HTTPError(.serviceUnavailable, "server busy: too many open connections"), retryAfterSeconds: 1)
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
