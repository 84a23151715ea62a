import HTTPTestSupport
import Testing

@testable import HTTPServer

/// Refuses `/refuse` from the head, limits `/small` to 10-byte bodies, echoes the rest.
private struct DecidingResponder: HTTPResponder {
    func admit(_ request: IncomingRequest) -> Admission {
        switch request.path {
        case "/refuse":
            var response = Response(status: .unauthorized, body: Array("no".utf8))
            response.headers.add(name: "WWW-Authenticate", value: "Basic")
            return .refuse(response)
        case "/small":
            return .accept(maxBodyBytes: 10) { Response(status: .ok, body: $0.body) }
        default:
            return .accept(maxBodyBytes: .max) { Response(status: .ok, body: $0.body) }
        }
    }
}

/// Decisions from the head: what is refused is answered before its body is read, `100 Continue`
/// only follows an acceptance, and bodies stay within their limits and the server's budget.
@Suite struct AdmissionTests {
    @Test func aRefusalIsAnsweredWithoutContinueAndWithoutReadingTheBody() throws {
        let live = try LiveServer(responder: DecidingResponder())
        let client = try live.client()
        try client.send(
            "PUT /refuse HTTP/1.1\r\nHost: h\r\nContent-Length: 67108864\r\nExpect: 100-continue\r\n\r\n")
        let reply = try client.readResponse()
        #expect(reply.status == 401)
        #expect(reply.headers["Connection"] == "close")
        #expect(client.isClosedByPeer())
    }

    @Test func aRefusalWithoutABodyKeepsTheConnection() throws {
        let live = try LiveServer(responder: DecidingResponder())
        let client = try live.client()
        #expect(try client.exchange("GET /refuse HTTP/1.1\r\nHost: h\r\n\r\n").status == 401)
        #expect(try client.exchange("POST /other HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok").text == "ok")
    }

    @Test func anAcceptanceGetsContinueAndItsBody() throws {
        let live = try LiveServer(responder: DecidingResponder())
        let client = try live.client()
        try client.send("PUT /small HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        try client.send("0123456789")
        #expect(try client.readResponse().text == "0123456789")
    }

    @Test func aBodyOverTheRespondersLimitIs413() throws {
        let live = try LiveServer(responder: DecidingResponder())
        let announced = try live.client()
        let reply = try announced.exchange(
            "PUT /small HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        #expect(reply.status == 413)
        #expect(reply.text.contains("larger than 10 bytes"))
        let chunked = try live.client()
        let chunkedReply = try chunked.exchange(
            "PUT /small HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n678901\r\n0\r\n\r\n"
        )
        #expect(chunkedReply.status == 413)
        #expect(chunked.isClosedByPeer())
    }

    @Test func bodiesPastTheBudgetAre503UntilItFrees() throws {
        let live = try LiveServer(
            configure: {
                $0.limits.maxBodyBytes = 100
                $0.maxBufferedBodyBytes = 100
            }, responder: DecidingResponder())
        // The first upload holds 80 bytes of the budget while it is received.
        let first = try live.client()
        try first.send("PUT /a HTTP/1.1\r\nHost: h\r\nContent-Length: 80\r\nExpect: 100-continue\r\n\r\n")
        #expect(try first.readResponse().status == 100)
        #expect(live.server.bodyBudget.inUse == 80)
        let second = try live.client()
        let busy = try second.exchange("PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n")
        #expect(busy.status == 503)
        #expect(busy.headers["Retry-After"] == "2")
        // A chunked body is counted chunk by chunk: 30 more bytes do not fit either.
        let chunked = try live.client()
        let chunkBusy = try chunked.exchange(
            "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1e\r\n" + String(repeating: "x", count: 30)
                + "\r\n0\r\n\r\n")
        #expect(chunkBusy.status == 503)
        try first.send(String(repeating: "y", count: 80))
        #expect(try first.readResponse().body.count == 80)
        #expect(live.server.bodyBudget.inUse == 0)
        let retry = try live.client().exchange(
            "PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 50\r\n\r\n" + String(repeating: "z", count: 50))
        #expect(retry.status == 200)
    }

    @Test func handleAnswersAWholeRequestInMemoryAsTheServerWould() throws {
        func request(_ path: String, body: String) throws -> Request {
            Request(
                head: RequestHead(
                    method: "PUT", rawTarget: path, target: try RequestTarget(parsing: path), version: .http11,
                    headers: ["Host": "h"]),
                body: Array(body.utf8), id: "r", remoteAddress: "127.0.0.1:1", logger: .init(label: "t"))
        }
        let responder = DecidingResponder()
        #expect(responder.handle(try request("/refuse", body: "x")).status == .unauthorized)
        #expect(responder.handle(try request("/small", body: "12345678901")).status == .contentTooLarge)
        #expect(responder.handle(try request("/small", body: "1234567890")).body == Array("1234567890".utf8))
    }
}
