import Dispatch
import HTTPTestSupport
import Testing

@testable import HTTPServer

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct LiveServerTests {
    @Test func answersWithFramingHeaders() throws {
        let live = try LiveServer()
        let reply = try live.client().exchange("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(reply.status == 200)
        #expect(reply.headers["Server"] == "statehouse")
        #expect(reply.headers["Date"]?.hasSuffix(" GMT") == true)
        #expect(reply.headers["Content-Length"] == "0")
        #expect(reply.headers["X-Path"] == "/hello")
        #expect(reply.headers["X-Request-Id"]?.utf8.count == 16)
    }

    @Test func reusesAKeptAliveConnection() throws {
        let live = try LiveServer()
        let client = try live.client()
        for index in 0..<5 {
            let reply = try client.exchange("GET /\(index) HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(reply.headers["X-Path"] == "/\(index)")
            #expect(reply.headers["Connection"] == nil)
        }
    }

    @Test func answersPipelinedRequestsInOrder() throws {
        let live = try LiveServer()
        let client = try live.client()
        try client.send(
            "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n")
        let replies = try (0..<3).map { _ in try client.readResponse() }
        #expect(replies.map { $0.headers["X-Path"] } == ["/1", "/2", "/3"])
        #expect(replies[1].text == "abc")
    }

    @Test func honoursConnectionClose() throws {
        let live = try LiveServer()
        let client = try live.client()
        let reply = try client.exchange("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        #expect(reply.headers["Connection"] == "close")
        #expect(client.isClosedByPeer())
    }

    @Test func closesHTTP10UnlessAskedToKeepAlive() throws {
        let live = try LiveServer()
        let plain = try live.client()
        #expect(try plain.exchange("GET / HTTP/1.0\r\n\r\n").headers["Connection"] == "close")
        #expect(plain.isClosedByPeer())
        let kept = try live.client()
        #expect(
            try kept.exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").headers["Connection"] == "keep-alive")
        #expect(
            try kept.exchange("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").headers["X-Path"] == "/again")
    }

    @Test func receivesChunkedUploads() throws {
        let live = try LiveServer()
        let client = try live.client()
        let reply = try client.exchange(
            "POST /s?ID=abc HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n"
        )
        #expect(reply.text == "{\"a\":1}")
        #expect(reply.headers["X-ID"] == "abc")
        // Terraform's force-unlock: an empty chunked body, and the connection stays usable.
        let empty = try client.exchange("UNLOCK /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(empty.status == 200)
        #expect(empty.headers["X-Method"] == "UNLOCK")
        #expect(empty.body.isEmpty)
    }

    @Test func sendsContinueBeforeTheBody() throws {
        let live = try LiveServer()
        let client = try live.client()
        try client.send("PUT /s HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        #expect(interim.status == 100)
        try client.send("hello")
        let final = try client.readResponse()
        #expect(final.status == 200)
        #expect(final.text == "hello")
    }

    @Test func refusesAnOversizedExpectedBodyWithoutContinue() throws {
        let live = try LiveServer { $0.limits.maxBodyBytes = 10 }
        let client = try live.client()
        let reply = try client.exchange(
            "PUT /s HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        #expect(reply.status == 413)
        #expect(reply.headers["Connection"] == "close")
        #expect(reply.text.contains("larger than 10 bytes"))
        #expect(client.isClosedByPeer())
    }

    @Test func rejectsAnUnknownExpectation() throws {
        let live = try LiveServer()
        let reply = try live.client().exchange(
            "PUT /s HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nExpect: magic\r\n\r\nx")
        #expect(reply.status == 417)
    }

    @Test func headGetsTheLengthButNoBody() throws {
        let live = try LiveServer(
            responder: ClosureResponder { _ in Response(status: .ok, body: Array("twelve bytes".utf8)) })
        let client = try live.client()
        try client.send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n")
        let head = try client.readResponse(headRequest: true)
        #expect(head.headers["Content-Length"] == "12")
        // The next response on the connection must start right after the head.
        let next = try client.exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(next.text == "twelve bytes")
    }

    @Test func passesGzipBodiesThroughUntouched() throws {
        let gzip: [UInt8] = [
            0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xAB, 0xAE, 0x05, 0x00, 0x43, 0xBF, 0xA6, 0xA3,
            0x02, 0x00, 0x00, 0x00,
        ]
        let live = try LiveServer(
            responder: ClosureResponder { _ in
                Response(status: .ok, headers: ["Content-Encoding": "gzip", "Content-Length": "999"], body: gzip)
            })
        let reply = try live.client().exchange("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n")
        #expect(reply.body == gzip)
        #expect(reply.headers["Content-Encoding"] == "gzip")
        #expect(reply.headers.values(of: "Content-Length") == ["\(gzip.count)"])
    }

    @Test func neverLetsAHeaderValueSplitTheResponse() throws {
        let live = try LiveServer(
            responder: ClosureResponder { _ in Response(status: .ok, headers: ["X-Evil": "a\r\nSet-Cookie: x=1"]) })
        let reply = try live.client().exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(reply.headers["Set-Cookie"] == nil)
        #expect(reply.headers["X-Evil"] == "a  Set-Cookie: x=1")
    }

    @Test func keepsAValidClientRequestId() throws {
        let live = try LiveServer()
        let client = try live.client()
        let reply = try client.exchange("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: trace-42\r\n\r\n")
        #expect(reply.headers["X-Request-Id"] == "trace-42")
        #expect(reply.headers["X-Seen-Request-Id"] == "trace-42")
        let replaced = try client.exchange("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: has space\r\n\r\n")
        #expect(replaced.headers["X-Request-Id"] != "has space")
    }

    @Test(arguments: RequestParserTests.malformed)
    func answersMalformedInputAndCloses(name: String, input: String, status: Int) throws {
        let live = try LiveServer()
        let client = try live.client()
        let reply = try client.exchange(input)
        #expect(reply.status == status, "\(name)")
        #expect(reply.headers["Connection"] == "close", "\(name)")
        #expect(reply.headers["Content-Type"] == "application/json", "\(name)")
        #expect(reply.text.hasPrefix("{\"error\":"), "\(name)")
        #expect(client.isClosedByPeer(), "\(name)")
    }

    @Test func answersATLSClientHelloWith400() throws {
        let live = try LiveServer()
        let client = try live.client()
        try client.send(
            [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + [UInt8](repeating: 0x42, count: 32))
        #expect(try client.readResponse().status == 400)
        #expect(client.isClosedByPeer())
    }

    @Test func answersLimitsWithTheirStatus() throws {
        let live = try LiveServer {
            $0.limits = RequestParser.Limits(
                maxRequestLineBytes: 100, maxHeaderBytes: 200, maxHeaderCount: 5, maxBodyBytes: 50)
        }
        let cases: [(String, Int)] = [
            ("GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414),
            ("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "b", count: 300) + "\r\n\r\n", 431),
            ("GET / HTTP/1.1\r\nHost: h\r\n" + (0..<6).map { "X\($0): 1\r\n" }.joined() + "\r\n", 431),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 51\r\n\r\n" + String(repeating: "c", count: 51), 413),
        ]
        for (input, status) in cases {
            let client = try live.client()
            #expect(try client.exchange(input).status == status)
            #expect(client.isClosedByPeer())
        }
    }

    @Test func survivesAClientThatDisconnectsMidBody() throws {
        let live = try LiveServer { $0.readTimeout = .seconds(30) }
        do {
            let client = try live.client()
            try client.send("POST /s HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly part")
        }  // the client closes here, 91 bytes short
        // The server is still healthy...
        #expect(try live.client().exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
        // ...and the abandoned connection's thread ended at once rather than waiting out the
        // 30 s read timeout: shutdown finds nothing left to drain.
        #expect(live.server.shutdown(drainTimeout: .seconds(10)))
    }

    @Test func servesOthersWhileOneClientIsMidHead() throws {
        let live = try LiveServer()
        let slow = try live.client()
        try slow.send("GET /slow HTTP/1.1\r\nHost: h\r\nX-Partial: ")
        // The slow client's head is unfinished (ConnectionLifeTests covers when it is cut off);
        // meanwhile other clients are answered at once.
        for index in 0..<3 {
            let reply = try live.client().exchange(
                "GET /fast\(index) HTTP/1.1\r\nHost: h\r\n\r\n", timeout: .seconds(10))
            #expect(reply.headers["X-Path"] == "/fast\(index)")
        }
        try slow.send("1\r\n\r\n")
        #expect(try slow.readResponse().headers["X-Path"] == "/slow")
    }

    @Test func closingAfterAResponseNeverResetsUnreadInput() throws {
        let live = try LiveServer()
        let client = try live.client()
        let pipelined = String(repeating: "GET /more HTTP/1.1\r\nHost: h\r\n\r\n", count: 2000)
        try client.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" + pipelined)
        #expect(try client.readResponse().status == 200)
        #expect(client.isClosedByPeer(), "expected a clean FIN, not a reset")
    }

    @Test func aLingeringConnectionIsTheFirstToMakeRoom() throws {
        let live = try LiveServer { $0.maxConnections = 1 }
        let bad = try live.client()
        #expect(try bad.exchange("\u{0}\r\n").status == 400)
        // `bad` stays open, so the server lingers on it, parked once its thread is done with it
        // (until then a new client finds every connection busy and gets 503).
        var statuses: [Int] = []
        while statuses.last != 200 && statuses.count < 1000 {
            statuses.append(try live.client().exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").status)
        }
        #expect(statuses.last == 200)
        #expect(statuses.dropLast().allSatisfy { $0 == 503 })
    }

    // The wiring of the deadlines ConnectionLifeTests covers, with short real timeouts: a response
    // that cannot be written is dropped, a kept-alive connection that goes quiet is closed without
    // a word, and a body that stops gets 408 on the socket.

    @Test func aResponseThatCannotBeWrittenInTimeIsDropped() throws {
        let big = [UInt8](repeating: 0x61, count: 64 << 20)
        let live = try LiveServer(
            configure: { $0.writeTimeout = .milliseconds(300) },
            responder: ClosureResponder { _ in Response(status: .ok, body: big) })
        let client = try live.client()
        try client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        // The client never reads, so the write stalls; the connection must end on its own.
        #expect(live.server.shutdown(drainTimeout: .seconds(10)))
    }

    @Test func closesIdleConnectionsSilently() throws {
        let live = try LiveServer { $0.idleTimeout = .milliseconds(200) }
        let client = try live.client()
        #expect(try client.exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
        #expect(client.isClosedByPeer(timeout: .seconds(5)))
    }

    @Test func times408WhenABodyStalls() throws {
        let live = try LiveServer { $0.readTimeout = .milliseconds(300) }
        let client = try live.client()
        try client.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
        #expect(try client.readResponse().status == 408)
        #expect(client.isClosedByPeer())
    }

    @Test func servesTwoHundredConcurrentConnections() throws {
        let live = try LiveServer()
        let clients = try (0..<200).map { _ in try live.client() }
        for (index, client) in clients.enumerated() {
            try client.send("GET /\(index) HTTP/1.1\r\nHost: h\r\n\r\n")
        }
        for (index, client) in clients.enumerated() {
            let reply = try client.readResponse()
            #expect(reply.status == 200)
            #expect(reply.headers["X-Path"] == "/\(index)")
        }
        #expect(live.server.registry.count == 200)
    }

    @Test func answers503PastTheConnectionCapWhenEveryConnectionIsBusy() throws {
        let gate = GateResponder()
        let live = try LiveServer(configure: { $0.maxConnections = 1 }, responder: gate)
        let busy = try live.client()
        try busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
        gate.entered.wait()
        let refused = try live.client()
        let reply = try refused.readResponse()
        #expect(reply.status == 503)
        #expect(reply.headers["Retry-After"] == "1")
        #expect(reply.text.contains("too many open connections"))
        #expect(refused.isClosedByPeer())
        gate.release.signal()
        #expect(try busy.readResponse().status == 200)
    }

    @Test func theLongestWaitingIdleConnectionMakesRoomForANewClient() throws {
        let live = try LiveServer { $0.maxConnections = 1 }
        // Accepted (and parked) before the next accept, on the same thread: it is the one to go.
        let silent = try live.client()
        let newcomer = try live.client()
        #expect(try newcomer.exchange("GET /served HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
        #expect(silent.isClosedByPeer())
    }

    @Test func oneAddressCannotTakeMoreThanItsShareOfConnections() throws {
        let live = try LiveServer { $0.maxConnectionsPerAddress = 2 }
        let held = try (0..<2).map { _ in try live.client(from: "127.0.0.2") }
        let refused = try live.client(from: "127.0.0.2")
        let reply = try refused.readResponse()
        #expect(reply.status == 503)
        #expect(reply.text.contains("too many open connections from your address"))
        #expect(try live.client(from: "127.0.0.3").exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
        for client in held {
            #expect(try client.exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
        }
    }

    @Test func aClosedConnectionGivesItsAddressItsSlotBack() {
        let registry = ConnectionRegistry()
        let descriptors = (0..<3).map { _ in socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        #expect(registry.register(descriptors[0], host: "192.0.2.1", limit: 10, perHostLimit: 2) == nil)
        #expect(registry.register(descriptors[1], host: "192.0.2.1", limit: 10, perHostLimit: 2) == nil)
        #expect(registry.register(descriptors[2], host: "192.0.2.1", limit: 10, perHostLimit: 2) == .addressFull)
        #expect(registry.register(descriptors[2], host: "192.0.2.2", limit: 2, perHostLimit: 2) == .full)
        registry.close(descriptors[0], lingering: nil)
        #expect(registry.register(descriptors[2], host: "192.0.2.1", limit: 10, perHostLimit: 2) == nil)
        #expect(registry.count == 2)
        registry.close(descriptors[1], lingering: nil)
        registry.close(descriptors[2], lingering: nil)
    }

    @Test func shutdownDrainsAnInFlightRequest() throws {
        let gate = GateResponder()
        let live = try LiveServer(responder: gate)
        let idle = try live.client()
        #expect(try idle.exchange("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)

        let busy = try live.client()
        try busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(gate.entered.wait(timeout: .now() + 10) == .success)

        let finished = DispatchSemaphore(value: 0)
        let result = ResultBox()
        let server = live.server
        DispatchQueue.global().async {
            result.drained = server.shutdown(drainTimeout: .seconds(10))
            finished.signal()
        }
        // The idle kept-alive connection is closed at once; the busy one is not.
        #expect(idle.isClosedByPeer())
        #expect(finished.wait(timeout: .now()) == .timedOut, "shutdown finished with a request in flight")
        gate.release.signal()
        let reply = try busy.readResponse()
        #expect(reply.status == 200)
        #expect(reply.text == "done")
        #expect(reply.headers["Connection"] == "close")
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(result.drained == true)
        #expect(throws: TestClient.ClientError.self) { try TestClient(port: live.port) }
    }

    @Test func connectionsStillInTheBacklogAtShutdownAreServedNotReset() throws {
        let live = try LiveServer()
        // Many clients connect and send at once, so some are likely still queued in the listen
        // backlog when the listeners close: each must get its answer, none a reset.
        let clients = try (0..<100).map { _ in try live.client() }
        for client in clients { try client.send("GET /fast HTTP/1.1\r\nHost: h\r\n\r\n") }
        live.server.stopAccepting()
        for client in clients {
            #expect(try client.readResponse().status == 200)
        }
        #expect(live.server.drain(timeout: .seconds(10)))
    }

    @Test func shutdownCutsRequestsThatOutliveTheDrainTimeout() throws {
        let gate = GateResponder()
        let live = try LiveServer(responder: gate)
        let busy = try live.client()
        try busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(gate.entered.wait(timeout: .now() + 10) == .success)
        let finished = DispatchSemaphore(value: 0)
        let result = ResultBox()
        let server = live.server
        DispatchQueue.global().async {
            result.drained = server.shutdown(drainTimeout: .milliseconds(100))
            finished.signal()
        }
        // Past the drain timeout the connection is cut under the stuck responder...
        #expect(busy.isClosedByPeer(timeout: .seconds(10)))
        // ...which is released only then, so shutdown can finish.
        gate.release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(result.drained == false)
    }

    @Test func listensOnIPv4AndIPv6() throws {
        let live = try LiveServer { $0.host = "localhost" }
        let families = live.server.addresses.map(\.family)
        #expect(families.contains(AF_INET))
        #expect(
            try TestClient(port: live.port, host: "127.0.0.1").exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").status
                == 200)
        if families.contains(AF_INET6) {
            #expect(
                try TestClient(port: live.port, host: "::1").exchange("GET / HTTP/1.1\r\nHost: h\r\n\r\n").status == 200
            )
        }
    }
}

final class ResultBox: @unchecked Sendable {
    var drained: Bool? = nil
}
