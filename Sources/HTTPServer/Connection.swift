import Logging
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One client connection, served on its own thread from accept to close: read, parse, respond,
/// and repeat while the connection is kept alive. Pipelined requests are answered in order
/// because each is answered before the next is parsed.
struct Connection {
    /// How long an error response may linger for the peer to read it.
    private static let lingerDuration: Duration = .seconds(2)
    private static let readBufferSize = 64 << 10

    let fd: Int32
    let peer: SocketAddress
    let server: HTTPServer
    /// The TLS session, when the server speaks TLS.
    private let tls: TLSStream?
    /// The verified client certificate of a TLS connection.
    private let clientCertificate: ClientCertificate?

    private var configuration: HTTPServerConfiguration { self.server.configuration }

    /// Sets up the socket and, with TLS, completes the handshake within the header timeout;
    /// `nil` when that fails (the connection is then closed).
    static func open(fd: Int32, peer: SocketAddress, server: HTTPServer) -> Connection? {
        do {
            try Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            try Socket.setSendTimeout(fd, server.configuration.writeTimeout)
            guard let context = server.tls else {
                return Connection(fd: fd, peer: peer, server: server, tls: nil, clientCertificate: nil)
            }
            let stream = try TLSStream(context: context, fd: fd)
            let certificate = try stream.handshake(deadline: .now + server.configuration.headerTimeout)
            return Connection(fd: fd, peer: peer, server: server, tls: stream, clientCertificate: certificate)
        } catch {
            server.logger.debug("connection setup failed", metadata: ["peer": "\(peer)", "error": "\(error)"])
            return nil
        }
    }

    func run() {
        var lingering: Duration? = nil
        defer {
            self.tls?.shutdown()
            self.server.registry.close(self.fd, lingering: lingering)
        }
        var state = ExchangeState(date: HTTPDate())
        var servedAny = false
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Connection.readBufferSize, alignment: 16)
        defer { readBuffer.deallocate() }
        var parser = RequestParser(limits: self.configuration.limits)

        while true {
            let event = parser.next()
            switch event {
            case .needMoreData:
                let wait = self.nextWait(parser: parser, state: state, servedAny: servedAny)
                let result: Socket.ReadResult
                do {
                    let wake = wait.betweenRequests && !wait.draining ? self.server.wakeReader : nil
                    if wait.timeout <= .zero && !wait.draining {
                        result = .timedOut
                    } else if let tls = self.tls {
                        result = try tls.read(into: readBuffer, timeout: max(wait.timeout, .zero), wake: wake)
                    } else {
                        result = try Socket.read(
                            self.fd, into: readBuffer, timeout: max(wait.timeout, .zero), wake: wake)
                    }
                } catch {
                    self.server.logger.debug("read failed", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
                    return
                }
                switch result {
                case .data(let count):
                    if wait.betweenRequests && servedAny { state.requestStart = .now }
                    if state.head != nil { state.bodyBytesRead += count }
                    parser.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                case .closed:
                    if !wait.betweenRequests {
                        self.server.logger.debug(
                            "client closed the connection mid-request", metadata: ["peer": "\(self.peer)"])
                    }
                    return
                case .woken:
                    return
                case .timedOut:
                    // Nothing of a request arrived: close without a word, as the client expects
                    // of an idle connection.
                    if wait.betweenRequests { return }
                    let what = state.head == nil ? "request head" : "request body"
                    self.answerFailure(HTTPError(.requestTimeout, "timed out waiting for the \(what)"), &state)
                    lingering = Connection.lingerDuration
                    return
                }
            case .head(let head):
                state.head = head
                state.bodyStart = .now
                if let expectation = head.headers["Expect"] {
                    guard expectation.asciiLowercased() == "100-continue" else {
                        self.answerFailure(HTTPError(.expectationFailed, "unsupported expectation"), &state)
                        lingering = Connection.lingerDuration
                        return
                    }
                    if head.version == .http11 && parser.expectsBody {
                        guard self.writeInterim() else { return }
                    }
                }
                if let length = head.headers["Content-Length"].flatMap({ Int($0) }) {
                    // Up to 1 MiB at once: a stalled client must not pin a huge reservation.
                    state.body.reserveCapacity(min(length, 1 << 20))
                    state.expectedLength = length
                }
            case .body(let part):
                if state.body.count + part.count > state.body.capacity, let length = state.expectedLength {
                    // The client has sent the first MiB: make room for all of it at once rather
                    // than doubling (which copies the body again and again).
                    state.body.reserveCapacity(length)
                }
                state.body.append(contentsOf: part)
            case .end:
                switch self.answer(&state) {
                case .keepOpen:
                    servedAny = true
                    state = ExchangeState(date: state.date)
                case .close:
                    lingering = Connection.lingerDuration
                    return
                case .gone:
                    return
                }
            case .failure(let error):
                self.answerFailure(error, &state)
                lingering = Connection.lingerDuration
                return
            }
        }
    }

    /// How long to wait for input, and in which role.
    private struct Wait {
        var timeout: Duration
        /// No byte of a request has arrived: a timeout closes silently.
        var betweenRequests: Bool
        /// Shutting down between requests: only bytes already received are served.
        var draining: Bool
    }

    private func nextWait(parser: RequestParser, state: ExchangeState, servedAny: Bool) -> Wait {
        let now = ContinuousClock.now
        if parser.isIdle {
            if self.server.isShuttingDown {
                return Wait(timeout: .zero, betweenRequests: true, draining: true)
            }
            // A new connection gets the header timeout for its first request; idle_timeout is
            // only for kept-alive connections, so silent sockets cannot hold slots for long.
            let timeout =
                servedAny ? self.configuration.idleTimeout : state.requestStart + self.configuration.headerTimeout - now
            return Wait(timeout: timeout, betweenRequests: true, draining: false)
        }
        if state.head == nil {
            return Wait(
                timeout: state.requestStart + self.configuration.headerTimeout - now, betweenRequests: false,
                draining: false)
        }
        // Each read must bring data within read_timeout, and the body as a whole must keep up
        // min_body_rate after the first read_timeout.
        let allowance = Duration.seconds(Double(state.bodyBytesRead) / Double(max(self.configuration.minBodyRate, 1)))
        let bodyDeadline = state.bodyStart + self.configuration.readTimeout + allowance
        return Wait(
            timeout: min(self.configuration.readTimeout, bodyDeadline - now), betweenRequests: false, draining: false)
    }

    /// Per-exchange state; reset after every response.
    private struct ExchangeState {
        var date: HTTPDate
        var head: RequestHead? = nil
        var body: [UInt8] = []
        var requestStart = ContinuousClock.now
        var bodyStart = ContinuousClock.now
        var bodyBytesRead = 0
        var expectedLength: Int? = nil
    }

    /// What happens to the connection after a response.
    private enum Continuation {
        case keepOpen
        /// The server ends the connection (the client asked, or shutdown): linger, then close.
        case close
        /// The response could not be written: close at once.
        case gone
    }

    /// Hands the complete request to the responder and writes its answer.
    private func answer(_ state: inout ExchangeState) -> Continuation {
        guard let head = state.head else { return .gone }
        let id = Connection.requestID(from: head.headers)
        var logger = self.server.logger
        logger[metadataKey: "request.id"] = .string(id)
        let request = Request(
            head: head, body: state.body, id: id, remoteAddress: self.peer.description, logger: logger,
            clientCertificate: self.clientCertificate)
        state.body = []
        var response = self.server.responder.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Request-Id", value: id)
        let keepAlive = head.wantsKeepAlive && !self.server.isShuttingDown
        let written = self.write(
            response, keepAlive: keepAlive, http10KeepAlive: head.version == .http10 && keepAlive,
            headOnly: head.method == "HEAD", date: &state.date)
        self.logAccess(
            logger: logger, method: head.method, path: head.target.path, status: response.status,
            bytesIn: request.body.count,
            bytesOut: written && head.method != "HEAD" && !response.status.forbidsBody ? response.body.count : 0,
            start: state.requestStart,
            route: response.route, extra: response.logMetadata)
        return !written ? .gone : keepAlive ? .keepOpen : .close
    }

    /// Answers a request the server itself refuses, always closing afterwards.
    private func answerFailure(_ error: HTTPError, _ state: inout ExchangeState) {
        let id = state.head.map { Connection.requestID(from: $0.headers) } ?? Connection.generateID()
        var logger = self.server.logger
        logger[metadataKey: "request.id"] = .string(id)
        var response = ResponseWriter.errorResponse(error)
        response.headers.add(name: "X-Request-Id", value: id)
        let written = self.write(
            response, keepAlive: false, http10KeepAlive: false, headOnly: state.head?.method == "HEAD",
            date: &state.date)
        self.logAccess(
            logger: logger, method: state.head?.method ?? "-", path: state.head?.target.path ?? "-",
            status: error.status, bytesIn: state.body.count, bytesOut: written ? response.body.count : 0,
            start: state.requestStart, reason: error.message)
    }

    private func write(
        _ response: Response, keepAlive: Bool, http10KeepAlive: Bool, headOnly: Bool, date: inout HTTPDate
    ) -> Bool {
        let head = ResponseWriter.head(
            for: response, server: self.configuration.serverName, date: date.now(), keepAlive: keepAlive,
            http10KeepAlive: http10KeepAlive)
        let sendBody = !headOnly && !response.status.forbidsBody
        do {
            try self.send(head, sendBody ? response.body : [])
            return true
        } catch {
            let reason = error.isTimeout ? "write timed out" : "write failed"
            self.server.logger.debug("\(reason)", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
            return false
        }
    }

    private func writeInterim() -> Bool {
        do {
            try self.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), [])
            return true
        } catch {
            self.server.logger.debug("write failed", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
            return false
        }
    }

    private func send(_ head: [UInt8], _ body: [UInt8]) throws(SystemError) {
        if let tls = self.tls {
            try tls.write(head, body, timeout: self.configuration.writeTimeout)
        } else {
            try Socket.write(self.fd, head, body, timeout: self.configuration.writeTimeout)
        }
    }

    private func logAccess(
        logger: Logger, method: String, path: String, status: HTTPStatus, bytesIn: Int, bytesOut: Int,
        start: ContinuousClock.Instant, reason: String? = nil, route: String? = nil, extra: Logger.Metadata = [:]
    ) {
        let elapsed = ContinuousClock.now - start
        self.server.metrics?.record(
            route: route, method: method, status: status, bytesIn: bytesIn, bytesOut: bytesOut, duration: elapsed)
        let micros = elapsed.microseconds
        let fraction = String(micros % 1000)
        var metadata: Logger.Metadata = [
            "method": .string(method),
            "path": .string(path),
            "status": .stringConvertible(status.code),
            "bytes_in": .stringConvertible(bytesIn),
            "bytes_out": .stringConvertible(bytesOut),
            "duration_ms": .string("\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"),
            "remote": .string(self.peer.host),
        ]
        if let reason { metadata["reason"] = .string(reason) }
        metadata.merge(extra) { ours, _ in ours }
        logger.info("request", metadata: metadata)
    }

    /// The client's `X-Request-Id` when it is a short token, so ids can be traced through
    /// proxies; otherwise a new random one.
    static func requestID(from headers: HTTPHeaders) -> String {
        if let given = headers["X-Request-Id"], (1...64).contains(given.utf8.count),
            given.utf8.allSatisfy({ isTokenByte($0) && $0 != UInt8(ascii: "%") })
        {
            return given
        }
        return self.generateID()
    }

    /// Sixteen random hex digits.
    static func generateID() -> String {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
