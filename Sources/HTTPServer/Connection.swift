import Logging

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

    private var configuration: HTTPServerConfiguration { self.server.configuration }

    func run() {
        var lingering: Duration? = nil
        defer { self.server.registry.close(self.fd, lingering: lingering) }
        do {
            try Socket.setOption(self.fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            try Socket.setSendTimeout(self.fd, self.configuration.writeTimeout)
        } catch {
            self.server.logger.debug("cannot configure connection", metadata: ["error": "\(error)"])
            return
        }
        var state = ExchangeState(date: HTTPDate())
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Connection.readBufferSize, alignment: 16)
        defer { readBuffer.deallocate() }
        var parser = RequestParser(limits: self.configuration.limits)

        while true {
            let event = parser.next()
            switch event {
            case .needMoreData:
                let waitingForRequest = parser.isIdle
                // While shutting down, an idle connection only serves bytes that already arrived.
                let draining = waitingForRequest && self.server.isShuttingDown
                let timeout: Duration
                if draining {
                    timeout = .zero
                } else if waitingForRequest {
                    timeout = self.configuration.idleTimeout
                } else if state.head == nil {
                    timeout = state.requestStart + self.configuration.headerTimeout - ContinuousClock.now
                } else {
                    timeout = self.configuration.readTimeout
                }
                let result: Socket.ReadResult
                do {
                    result =
                        timeout <= .zero && !draining
                        ? .timedOut
                        : try Socket.read(
                            self.fd, into: readBuffer, timeout: timeout,
                            wake: waitingForRequest && !draining ? self.server.wakeReader : nil)
                } catch {
                    self.server.logger.debug("read failed", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
                    return
                }
                switch result {
                case .data(let count):
                    if waitingForRequest { state.requestStart = .now }
                    parser.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                case .closed:
                    if !waitingForRequest {
                        self.server.logger.debug(
                            "client closed the connection mid-request", metadata: ["peer": "\(self.peer)"])
                    }
                    return
                case .woken:
                    return
                case .timedOut:
                    if waitingForRequest { return }
                    let what = state.head == nil ? "request head" : "request body"
                    self.answerFailure(HTTPError(.requestTimeout, "timed out waiting for the \(what)"), &state)
                    lingering = Connection.lingerDuration
                    return
                }
            case .head(let head):
                state.head = head
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
                    state.body.reserveCapacity(length)
                }
            case .body(let part):
                state.body.append(contentsOf: part)
            case .end:
                guard self.answer(&state) else { return }
                state = ExchangeState(date: state.date)
                state.requestStart = .now
            case .failure(let error):
                self.answerFailure(error, &state)
                lingering = Connection.lingerDuration
                return
            }
        }
    }

    /// Per-exchange state; reset after every response.
    private struct ExchangeState {
        var date: HTTPDate
        var head: RequestHead? = nil
        var body: [UInt8] = []
        var requestStart = ContinuousClock.now
    }

    /// Hands the complete request to the responder and writes its answer. Returns whether the
    /// connection stays open.
    private func answer(_ state: inout ExchangeState) -> Bool {
        guard let head = state.head else { return false }
        let id = Connection.requestID(from: head.headers)
        var logger = self.server.logger
        logger[metadataKey: "request.id"] = .string(id)
        let request = Request(
            head: head, body: state.body, id: id, remoteAddress: self.peer.description, logger: logger)
        state.body = []
        var response = self.server.responder.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Request-Id", value: id)
        let keepAlive = head.wantsKeepAlive && !self.server.isShuttingDown
        let written = self.write(
            response, keepAlive: keepAlive, http10KeepAlive: head.version == .http10 && keepAlive,
            headOnly: head.method == "HEAD", date: &state.date)
        self.logAccess(
            logger: logger, method: head.method, path: head.target.path, status: response.status,
            bytesIn: request.body.count, bytesOut: written ? response.body.count : 0, start: state.requestStart)
        return written && keepAlive
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
            try Socket.write(self.fd, head, sendBody ? response.body : [])
            return true
        } catch {
            let reason = error.isTimeout ? "write timed out" : "write failed"
            self.server.logger.debug("\(reason)", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
            return false
        }
    }

    private func writeInterim() -> Bool {
        do {
            try Socket.write(self.fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            return true
        } catch {
            self.server.logger.debug("write failed", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
            return false
        }
    }

    private func logAccess(
        logger: Logger, method: String, path: String, status: HTTPStatus, bytesIn: Int, bytesOut: Int,
        start: ContinuousClock.Instant, reason: String? = nil
    ) {
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
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
