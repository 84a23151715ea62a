import Logging
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One client connection from accept to close: read, parse, decide from the head, read the body
/// that decision allows, answer, and repeat while the connection is kept alive. A pool thread
/// serves it while a request is under way; between requests it waits in the server's parking lot
/// with no thread, until input arrives (then a thread takes it up again), its wait runs out, or
/// the server needs the slot. Pipelined requests are answered in order because each is answered
/// before the next is parsed. When to give up waiting is ``ConnectionLife``'s business; this type
/// does the I/O. One thread at a time touches it: the hand-offs go through the parking lot's lock.
final class Connection: @unchecked Sendable {
    /// How long an error response may linger for the peer to read it.
    static let lingerDuration: Duration = .seconds(2)
    /// Reads of an accepted body take up to this much at once.
    private static let readBufferSize = 64 << 10
    /// Reads before a body is accepted take at most this much, so that bytes a client sends past
    /// a head that will be refused stay in the kernel (a head longer than this takes more reads).
    private static let headReadSize = 8 << 10

    let fd: Int32
    let peer: SocketAddress
    let server: HTTPServer
    /// The TLS session, when the server speaks TLS (after the first wake-up).
    private var tls: TLSStream? = nil
    /// The verified client certificate of a TLS connection.
    private var clientCertificate: ClientCertificate? = nil
    /// Whether the socket has been set up (and the TLS handshake done).
    private var opened = false
    /// Whether the socket has shown input (or the peer's close) that has not been read yet.
    private var readable = false
    /// Whether the thread has waited ``parkingGrace`` for the next request since the last input.
    private var waitedGrace = false
    /// How long a thread waits for a kept-alive client's next request before parking it, while
    /// few threads are busy: a client that sends its next request at once is then served without
    /// a hand-off through the event thread. Under load (many busy threads) connections park at
    /// once, which serves many clients faster than threads waiting on each.
    static let parkingGrace: Duration = .milliseconds(1)
    /// Set once the connection is closing and lingers (parked) until then for the peer to read
    /// the last answer.
    private var lingeringUntil: ContinuousClock.Instant? = nil
    /// Bytes read and dropped while lingering.
    private var discarded = 0
    /// The most a lingering connection reads and drops before it closes anyway.
    private static let maxDiscarded = 1 << 22
    private var life: ConnectionLife
    private var parser: RequestParser
    private var date = HTTPDate()
    /// Whether the descriptor is in the server's epoll set; read and written under the parking
    /// lot's lock.
    var inEpoll = false

    private var configuration: HTTPServerConfiguration { self.server.configuration }

    /// A connection accepted at `now`, not yet set up.
    init(fd: Int32, peer: SocketAddress, server: HTTPServer, acceptedAt now: ContinuousClock.Instant) {
        self.fd = fd
        self.peer = peer
        self.server = server
        self.life = ConnectionLife(
            timeouts: .init(server.configuration, linger: Connection.lingerDuration), openedAt: now)
        self.parser = RequestParser(limits: server.configuration.limits)
    }

    /// Sets up the socket and, with TLS, completes the handshake within the header timeout from
    /// the accept; `false` when that fails.
    private func open() -> Bool {
        do {
            try Socket.setOption(self.fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            try Socket.setSendTimeout(self.fd, self.configuration.writeTimeout)
            if let context = self.server.tls {
                let stream = try TLSStream(context: context, fd: self.fd)
                self.tls = stream
                guard case .betweenRequests(let since, _) = self.life.phase else { return false }
                self.clientCertificate = try stream.handshake(deadline: since + self.configuration.headerTimeout)
            }
            self.opened = true
            return true
        } catch {
            self.server.logger.debug(
                "connection setup failed", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
            return false
        }
    }

    /// The request being received or answered.
    private struct Exchange {
        let incoming: IncomingRequest
        let start: ContinuousClock.Instant
        var respond: (@Sendable (Request) -> Response)? = nil
        /// Answered from its head already (a refusal of a request without a body, kept alive).
        var answered = false
        var body: [UInt8] = []
        /// The body's size, kept for the access log once the body has been handed over.
        var bytesIn = 0
        var expectedLength: Int? = nil
        /// Body bytes counted in the server's budget for this request.
        var reserved = 0
    }

    /// What happens to the connection after a response.
    private enum Continuation: Equatable {
        case keepOpen
        /// Nothing of a request has arrived: wait in the parking lot until `deadline`.
        case park(until: ContinuousClock.Instant)
        /// The server ends the connection (the client asked, shutdown, a refusal): linger, then close.
        case close
        /// The response could not be written, or the peer is gone: close at once.
        case gone
    }

    /// Serves the connection on the calling thread until it waits for its next request (it is
    /// then parked) or ends (it is then closed). Called when the socket has input.
    func serve() {
        self.readable = true
        guard self.opened || self.open() else {
            self.close(lingering: false)
            return
        }
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Connection.readBufferSize, alignment: 16)
        defer { readBuffer.deallocate() }
        while true {
            switch self.run(readBuffer) {
            case .park(let deadline):
                self.parser.releaseConsumedStorage()
                // Refused only once the server shuts down: the next wait then drains.
                if self.server.park(self, until: deadline, queue: self.life.servedAny ? .keptAlive : .fresh) {
                    return
                }
            case .close:
                self.close(lingering: true)
                return
            case .keepOpen, .gone:
                self.close(lingering: false)
                return
            }
        }
    }

    /// Closes the connection. With `lingering`, first stops sending and waits, parked, until the
    /// peer closes or the linger time passes, reading and dropping what it still sends: closing
    /// with unread input would send a reset that can destroy the answer in flight. The
    /// connection keeps its slot until then.
    func close(lingering: Bool) {
        self.tls?.shutdown()
        guard lingering else {
            self.server.registry.close(self.fd, lingering: nil)
            return
        }
        let deadline = ContinuousClock.now + self.life.timeouts.linger
        self.lingeringUntil = deadline
        _ = try? syscall("shutdown") { shutdown(self.fd, Int32(SHUT_WR)) }
        if !self.server.park(self, until: deadline, queue: .lingering) {
            // The event thread is gone (shutdown): linger on this thread.
            self.server.registry.close(self.fd, lingering: deadline - .now)
        }
    }

    /// Ends the connection from the event thread, at once: its wait ran out, the server needed its
    /// slot, or the server is shutting down.
    func end() {
        if self.lingeringUntil != nil {
            self.server.registry.close(self.fd, lingering: nil)
        } else {
            self.close(lingering: false)
        }
    }

    /// On the event thread, for a lingering connection with input: drops what has arrived, then
    /// closes it if the peer has closed (or sent too much), or parks it again until its linger
    /// time ends.
    func linger() {
        guard let deadline = self.lingeringUntil else { return }
        let finished = withUnsafeTemporaryAllocation(byteCount: 16 << 10, alignment: 16) { scratch in
            while self.discarded < Connection.maxDiscarded {
                let count = recv(self.fd, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT))
                if count > 0 {
                    self.discarded += count
                } else {
                    return count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                }
            }
            return true
        }
        if finished || !self.server.park(self, until: deadline, queue: .lingering) {
            self.server.registry.close(self.fd, lingering: nil)
        }
    }

    /// Serves requests until the connection parks or ends.
    private func run(_ readBuffer: UnsafeMutableRawBufferPointer) -> Continuation {
        var exchange: Exchange? = nil
        defer {
            if let exchange { self.server.bodyBudget.release(exchange.reserved) }
        }
        var continuation = Continuation.keepOpen
        while continuation == .keepOpen {
            switch self.parser.next() {
            case .needMoreData:
                let size = exchange?.respond == nil ? Connection.headReadSize : Connection.readBufferSize
                continuation = self.receive(
                    into: UnsafeMutableRawBufferPointer(rebasing: readBuffer[0..<size]), exchange: exchange)
            case .head(let head):
                exchange = Exchange(incoming: self.incoming(head), start: self.life.requestStart ?? .now)
                continuation = self.admit(&exchange!)
            case .body(let part):
                guard exchange != nil else { return .gone }
                if exchange!.expectedLength == nil {
                    // A chunked body is counted as it arrives.
                    guard self.server.bodyBudget.reserve(part.count) else {
                        continuation = self.answerBusy(exchange!)
                        break
                    }
                    exchange!.reserved += part.count
                } else if exchange!.body.count + part.count > exchange!.body.capacity {
                    // The client has sent the first MiB: make room for all of it at once rather
                    // than doubling (which copies the body again and again).
                    exchange!.body.reserveCapacity(exchange!.expectedLength!)
                }
                exchange!.body.append(contentsOf: part)
                self.life.bodyReceived(part.count, now: .now)
            case .end:
                guard exchange != nil else { return .gone }
                self.life.requestComplete()
                // In place: a copy would keep the body alive until the answer has been written.
                if !exchange!.answered { continuation = self.answer(&exchange!) }
                self.server.bodyBudget.release(exchange!.reserved)
                exchange = nil
                if continuation == .keepOpen { self.life.keptAlive(now: .now) }
            case .failure(let error):
                continuation = self.answerFailure(error, exchange, start: self.life.requestStart ?? .now)
            }
        }
        return continuation
    }

    /// Waits for input as `life` says and feeds it to the parser; anything but data ends the
    /// connection, answering 408 when a request was cut off. A wait for a request that has not
    /// begun parks the connection instead, unless the socket has just shown input or TLS holds some,
    /// after a ``parkingGrace`` while the server is quiet.
    private func receive(into buffer: UnsafeMutableRawBufferPointer, exchange: Exchange?) -> Continuation {
        let wait = self.life.wait(now: .now, parserIdle: self.parser.isIdle, shuttingDown: self.server.isShuttingDown)
        let result: Socket.ReadResult
        do {
            switch wait {
            case .expired(let expiry):
                return self.expire(expiry, exchange, start: self.life.requestStart ?? .now)
            case .drain:
                // Shutting down between requests: serve only bytes already received.
                result = try self.read(into: buffer, timeout: .zero)
            case .park(let deadline):
                if self.readable || self.tls?.hasBufferedInput == true {
                    self.readable = false
                    result = try self.read(into: buffer, timeout: .zero)
                } else if !self.waitedGrace && self.life.servedAny && self.server.workers.isQuiet {
                    self.waitedGrace = true
                    result = try self.read(into: buffer, timeout: min(Connection.parkingGrace, deadline - .now))
                } else {
                    self.waitedGrace = false
                    return .park(until: deadline)
                }
            case .read(let deadline):
                result = try self.read(into: buffer, timeout: deadline - .now)
            }
        } catch {
            self.server.logger.debug("read failed", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
            return .gone
        }
        switch result {
        case .data(let count):
            self.waitedGrace = false
            self.parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            self.life.received(now: .now, parserIdle: self.parser.isIdle)
            return .keepOpen
        case .closed:
            if !self.parser.isIdle {
                self.server.logger.debug("client closed the connection mid-request", metadata: ["peer": "\(self.peer)"])
            }
            return .gone
        case .timedOut:
            // A drain found nothing: done. Otherwise the next wait tells what the timeout means.
            return wait == .drain ? .gone : .keepOpen
        }
    }

    private func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(SystemError)
        -> Socket.ReadResult
    {
        let timeout = max(timeout, .zero)
        if let tls = self.tls { return try tls.read(into: buffer, timeout: timeout) }
        return try Socket.read(self.fd, into: buffer, timeout: timeout)
    }

    /// A wait that ran out: silence between requests, 408 within one.
    private func expire(
        _ expiry: ConnectionLife.Expiry, _ exchange: Exchange?, start: ContinuousClock.Instant
    ) -> Continuation {
        switch expiry {
        case .closeSilently:
            return .gone
        case .requestTimeout(let reason):
            return self.answerFailure(HTTPError(.requestTimeout, reason), exchange, start: start)
        }
    }

    /// The head's request as the responder sees it: with its id and a logger that carries it.
    private func incoming(_ head: RequestHead) -> IncomingRequest {
        let id = Connection.requestID(from: head.headers)
        var logger = self.server.logger
        logger[metadataKey: "request.id"] = .string(id)
        return IncomingRequest(
            head: head, id: id, remoteAddress: self.peer.description, logger: logger,
            clientCertificate: self.clientCertificate)
    }

    /// Asks the responder about a head. A refusal is answered at once without reading the body,
    /// and ends the connection if a body follows; an acceptance sets the body's limit, counts an announced body in
    /// the server's budget and only then sends `100 Continue` when the client waits for it.
    private func admit(_ exchange: inout Exchange) -> Continuation {
        let head = exchange.incoming.head
        if let expectation = head.headers["Expect"], expectation.asciiLowercased() != "100-continue" {
            return self.answerFailure(
                HTTPError(.expectationFailed, "unsupported expectation"), exchange, start: exchange.start)
        }
        switch self.server.responder.admit(exchange.incoming) {
        case .refuse(let response):
            // Without a body the connection can serve the next request; with one, the unread
            // body is still on its way, so the connection ends.
            exchange.answered = true
            let keepAlive = !self.parser.expectsBody && head.wantsKeepAlive && !self.server.isShuttingDown
            return self.write(response, for: exchange, keepAlive: keepAlive)
        case .accept(let maxBodyBytes, let respond):
            exchange.respond = respond
            self.parser.limitBody(to: maxBodyBytes)
            if let error = self.parser.failure {
                return self.answerFailure(error, exchange, start: exchange.start)
            }
            guard self.parser.expectsBody else { return .keepOpen }
            if let length = self.parser.announcedBodyLength {
                guard self.server.bodyBudget.reserve(length) else { return self.answerBusy(exchange) }
                exchange.reserved = length
                exchange.expectedLength = length
                // Up to 1 MiB at once: a stalled client must not pin a huge allocation.
                exchange.body.reserveCapacity(min(length, 1 << 20))
            }
            if head.headers["Expect"] != nil, head.version == .http11, !self.writeInterim() { return .gone }
            self.life.bodyStarted(now: .now)
            return .keepOpen
        }
    }

    /// Hands the complete request to the responder and writes its answer.
    private func answer(_ exchange: inout Exchange) -> Continuation {
        guard let respond = exchange.respond else { return .gone }
        let request = Request(exchange.incoming, body: exchange.body)
        exchange.bytesIn = exchange.body.count
        exchange.body = []
        let response = respond(request)
        // The body has been handed over and answered: its bytes leave the budget before the
        // answer goes out.
        self.server.bodyBudget.release(exchange.reserved)
        exchange.reserved = 0
        // Asked after the answer: a shutdown that began meanwhile closes the connection.
        let keepAlive = exchange.incoming.head.wantsKeepAlive && !self.server.isShuttingDown
        return self.write(response, for: exchange, keepAlive: keepAlive)
    }

    /// 503 with `Retry-After`: the bodies being received already fill the server's budget.
    private func answerBusy(_ exchange: Exchange) -> Continuation {
        self.server.metrics?.refusedBodies.increment()
        var response = ResponseWriter.errorResponse(
            HTTPError(.serviceUnavailable, "server busy: too many request bodies in progress; try again"),
            retryAfterSeconds: 2)
        response.logMetadata["reason"] = "request body budget full"
        return self.write(response, for: exchange, keepAlive: false)
    }

    /// Answers a request the server itself refuses, always closing afterwards.
    private func answerFailure(
        _ error: HTTPError, _ exchange: Exchange?, start: ContinuousClock.Instant
    ) -> Continuation {
        var response = ResponseWriter.errorResponse(error)
        response.logMetadata["reason"] = .string(error.message)
        if let exchange { return self.write(response, for: exchange, keepAlive: false) }
        // Nothing of a head was understood: a fresh id, and "-" for what is unknown.
        var logger = self.server.logger
        let id = Connection.generateID()
        logger[metadataKey: "request.id"] = .string(id)
        response.headers.add(name: "X-Request-Id", value: id)
        let written = self.send(response, keepAlive: false, http10KeepAlive: false, headOnly: false)
        self.logAccess(
            logger: logger, method: "-", path: "-", response: response, bytesIn: 0,
            bytesOut: written ? response.body.count : 0, start: start)
        return written ? .close : .gone
    }

    /// Writes `response` to `exchange`'s request and logs it; `.close` unless `keepAlive`.
    private func write(_ response: Response, for exchange: Exchange, keepAlive: Bool)
        -> Continuation
    {
        var response = response
        let head = exchange.incoming.head
        response.headers.replaceOrAdd(name: "X-Request-Id", value: exchange.incoming.id)
        let headOnly = head.method == "HEAD"
        let written = self.send(
            response, keepAlive: keepAlive, http10KeepAlive: head.version == .http10 && keepAlive, headOnly: headOnly)
        self.logAccess(
            logger: exchange.incoming.logger, method: head.method, path: head.target.path, response: response,
            bytesIn: max(exchange.bytesIn, exchange.body.count),
            bytesOut: written && !headOnly && !response.status.forbidsBody ? response.body.count : 0,
            start: exchange.start)
        return !written ? .gone : keepAlive ? .keepOpen : .close
    }

    private func send(
        _ response: Response, keepAlive: Bool, http10KeepAlive: Bool, headOnly: Bool
    ) -> Bool {
        let head = ResponseWriter.head(
            for: response, server: self.configuration.serverName, date: self.date.now(), keepAlive: keepAlive,
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
        logger: Logger, method: String, path: String, response: Response, bytesIn: Int, bytesOut: Int,
        start: ContinuousClock.Instant
    ) {
        let elapsed = ContinuousClock.now - start
        self.server.metrics?.record(
            route: response.route, method: method, status: response.status, bytesIn: bytesIn, bytesOut: bytesOut,
            duration: elapsed)
        let micros = elapsed.microseconds
        let fraction = String(micros % 1000)
        var metadata: Logger.Metadata = [
            "method": .string(method),
            "path": .string(path),
            "status": .stringConvertible(response.status.code),
            "bytes_in": .stringConvertible(bytesIn),
            "bytes_out": .stringConvertible(bytesOut),
            "duration_ms": .string("\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"),
            "remote": .string(self.peer.host),
        ]
        metadata.merge(response.logMetadata) { ours, _ in ours }
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
        withUnsafeBytes(of: UInt64.random(in: .min ... .max)) { Hex.encode($0) }
    }
}
