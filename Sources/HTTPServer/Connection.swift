import Logging
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One client connection, served on its own thread from accept to close: read, parse, decide from
/// the head, read the body that decision allows, answer, and repeat while the connection is kept
/// alive. Pipelined requests are answered in order because each is answered before the next is
/// parsed. When to give up waiting is ``ConnectionLife``'s business; this type does the I/O.
struct Connection {
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
    private enum Continuation {
        case keepOpen
        /// The server ends the connection (the client asked, shutdown, a refusal): linger, then close.
        case close
        /// The response could not be written, or the peer is gone: close at once.
        case gone
    }

    func run() {
        var life = ConnectionLife(
            timeouts: .init(self.configuration, linger: Connection.lingerDuration), openedAt: .now)
        var lingering = false
        var exchange: Exchange? = nil
        defer {
            if let exchange { self.server.bodyBudget.release(exchange.reserved) }
            self.tls?.shutdown()
            self.server.registry.close(self.fd, lingering: lingering ? life.timeouts.linger : nil)
        }
        var date = HTTPDate()
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Connection.readBufferSize, alignment: 16)
        defer { readBuffer.deallocate() }
        var parser = RequestParser(limits: self.configuration.limits)
        var continuation = Continuation.keepOpen

        while continuation == .keepOpen {
            switch parser.next() {
            case .needMoreData:
                let size = exchange?.respond == nil ? Connection.headReadSize : Connection.readBufferSize
                continuation = self.receive(
                    into: &parser, life: &life, buffer: UnsafeMutableRawBufferPointer(rebasing: readBuffer[0..<size]),
                    exchange: exchange, &date)
            case .head(let head):
                exchange = Exchange(incoming: self.incoming(head), start: life.requestStart ?? .now)
                continuation = self.admit(&exchange!, parser: &parser, life: &life, &date)
            case .body(let part):
                guard exchange != nil else { return }
                if exchange!.expectedLength == nil {
                    // A chunked body is counted as it arrives.
                    guard self.server.bodyBudget.reserve(part.count) else {
                        continuation = self.answerBusy(exchange!, &date)
                        break
                    }
                    exchange!.reserved += part.count
                } else if exchange!.body.count + part.count > exchange!.body.capacity {
                    // The client has sent the first MiB: make room for all of it at once rather
                    // than doubling (which copies the body again and again).
                    exchange!.body.reserveCapacity(exchange!.expectedLength!)
                }
                exchange!.body.append(contentsOf: part)
                life.bodyReceived(part.count, now: .now)
            case .end:
                guard exchange != nil else { return }
                life.requestComplete()
                // In place: a copy would keep the body alive until the answer has been written.
                if !exchange!.answered { continuation = self.answer(&exchange!, &date) }
                self.server.bodyBudget.release(exchange!.reserved)
                exchange = nil
                if continuation == .keepOpen { life.keptAlive(now: .now) }
            case .failure(let error):
                continuation = self.answerFailure(error, exchange, start: life.requestStart ?? .now, &date)
            }
        }
        lingering = continuation == .close
    }

    /// Waits for input as `life` says and feeds it to `parser`; anything but data ends the
    /// connection, answering 408 when a request was cut off.
    private func receive(
        into parser: inout RequestParser, life: inout ConnectionLife, buffer: UnsafeMutableRawBufferPointer,
        exchange: Exchange?, _ date: inout HTTPDate
    ) -> Continuation {
        let wait = life.wait(now: .now, parserIdle: parser.isIdle, shuttingDown: self.server.isShuttingDown)
        let result: Socket.ReadResult
        do {
            switch wait {
            case .expired(let expiry):
                return self.expire(expiry, exchange, start: life.requestStart ?? .now, &date)
            case .drain:
                // Shutting down between requests: serve only bytes already received.
                result = try self.read(into: buffer, timeout: .zero, wake: nil)
            case .read(let deadline, let wakeOnShutdown):
                result = try self.read(
                    into: buffer, timeout: deadline - .now, wake: wakeOnShutdown ? self.server.wakeReader : nil)
            }
        } catch {
            self.server.logger.debug("read failed", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
            return .gone
        }
        switch result {
        case .data(let count):
            parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            life.received(now: .now, parserIdle: parser.isIdle)
            return .keepOpen
        case .closed:
            if !parser.isIdle {
                self.server.logger.debug("client closed the connection mid-request", metadata: ["peer": "\(self.peer)"])
            }
            return .gone
        case .woken:
            return .gone
        case .timedOut:
            // A drain found nothing: done. Otherwise the next wait tells what the timeout means.
            return wait == .drain ? .gone : .keepOpen
        }
    }

    private func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration, wake: Int32?) throws(SystemError)
        -> Socket.ReadResult
    {
        let timeout = max(timeout, .zero)
        if let tls = self.tls { return try tls.read(into: buffer, timeout: timeout, wake: wake) }
        return try Socket.read(self.fd, into: buffer, timeout: timeout, wake: wake)
    }

    /// A wait that ran out: silence between requests, 408 within one.
    private func expire(
        _ expiry: ConnectionLife.Expiry, _ exchange: Exchange?, start: ContinuousClock.Instant, _ date: inout HTTPDate
    ) -> Continuation {
        switch expiry {
        case .closeSilently:
            return .gone
        case .requestTimeout(let reason):
            return self.answerFailure(HTTPError(.requestTimeout, reason), exchange, start: start, &date)
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
    private func admit(
        _ exchange: inout Exchange, parser: inout RequestParser, life: inout ConnectionLife, _ date: inout HTTPDate
    ) -> Continuation {
        let head = exchange.incoming.head
        if let expectation = head.headers["Expect"], expectation.asciiLowercased() != "100-continue" {
            return self.answerFailure(
                HTTPError(.expectationFailed, "unsupported expectation"), exchange, start: exchange.start, &date)
        }
        switch self.server.responder.admit(exchange.incoming) {
        case .refuse(let response):
            // Without a body the connection can serve the next request; with one, the unread
            // body is still on its way, so the connection ends.
            exchange.answered = true
            let keepAlive = !parser.expectsBody && head.wantsKeepAlive && !self.server.isShuttingDown
            return self.write(response, for: exchange, keepAlive: keepAlive, &date)
        case .accept(let maxBodyBytes, let respond):
            exchange.respond = respond
            parser.limitBody(to: maxBodyBytes)
            if let error = parser.failure { return self.answerFailure(error, exchange, start: exchange.start, &date) }
            guard parser.expectsBody else { return .keepOpen }
            if let length = parser.announcedBodyLength {
                guard self.server.bodyBudget.reserve(length) else { return self.answerBusy(exchange, &date) }
                exchange.reserved = length
                exchange.expectedLength = length
                // Up to 1 MiB at once: a stalled client must not pin a huge allocation.
                exchange.body.reserveCapacity(min(length, 1 << 20))
            }
            if head.headers["Expect"] != nil, head.version == .http11, !self.writeInterim() { return .gone }
            life.bodyStarted(now: .now)
            return .keepOpen
        }
    }

    /// Hands the complete request to the responder and writes its answer.
    private func answer(_ exchange: inout Exchange, _ date: inout HTTPDate) -> Continuation {
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
        return self.write(response, for: exchange, keepAlive: keepAlive, &date)
    }

    /// 503 with `Retry-After`: the bodies being received already fill the server's budget.
    private func answerBusy(_ exchange: Exchange, _ date: inout HTTPDate) -> Continuation {
        self.server.metrics?.refusedBodies.increment()
        var response = ResponseWriter.errorResponse(
            HTTPError(.serviceUnavailable, "server busy: too many request bodies in progress; try again"),
            retryAfterSeconds: 2)
        response.logMetadata["reason"] = "request body budget full"
        return self.write(response, for: exchange, keepAlive: false, &date)
    }

    /// Answers a request the server itself refuses, always closing afterwards.
    private func answerFailure(
        _ error: HTTPError, _ exchange: Exchange?, start: ContinuousClock.Instant, _ date: inout HTTPDate
    ) -> Continuation {
        var response = ResponseWriter.errorResponse(error)
        response.logMetadata["reason"] = .string(error.message)
        if let exchange { return self.write(response, for: exchange, keepAlive: false, &date) }
        // Nothing of a head was understood: a fresh id, and "-" for what is unknown.
        var logger = self.server.logger
        let id = Connection.generateID()
        logger[metadataKey: "request.id"] = .string(id)
        response.headers.add(name: "X-Request-Id", value: id)
        let written = self.send(response, keepAlive: false, http10KeepAlive: false, headOnly: false, &date)
        self.logAccess(
            logger: logger, method: "-", path: "-", response: response, bytesIn: 0,
            bytesOut: written ? response.body.count : 0, start: start)
        return written ? .close : .gone
    }

    /// Writes `response` to `exchange`'s request and logs it; `.close` unless `keepAlive`.
    private func write(_ response: Response, for exchange: Exchange, keepAlive: Bool, _ date: inout HTTPDate)
        -> Continuation
    {
        var response = response
        let head = exchange.incoming.head
        response.headers.replaceOrAdd(name: "X-Request-Id", value: exchange.incoming.id)
        let headOnly = head.method == "HEAD"
        let written = self.send(
            response, keepAlive: keepAlive, http10KeepAlive: head.version == .http10 && keepAlive, headOnly: headOnly,
            &date)
        self.logAccess(
            logger: exchange.incoming.logger, method: head.method, path: head.target.path, response: response,
            bytesIn: max(exchange.bytesIn, exchange.body.count),
            bytesOut: written && !headOnly && !response.status.forbidsBody ? response.body.count : 0,
            start: exchange.start)
        return !written ? .gone : keepAlive ? .keepOpen : .close
    }

    private func send(
        _ response: Response, keepAlive: Bool, http10KeepAlive: Bool, headOnly: Bool, _ date: inout HTTPDate
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
