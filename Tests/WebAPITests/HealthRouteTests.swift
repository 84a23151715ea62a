import HTTPServer
import Logging
import Testing
import WebAPI

func request(_ method: String, _ target: String, body: [UInt8] = []) throws -> Request {
    let head = RequestHead(
        method: method, rawTarget: target, target: try RequestTarget(parsing: target), version: .http11,
        headers: ["Host": "test"])
    return Request(head: head, body: body, id: "test", remoteAddress: "127.0.0.1:1", logger: Logger(label: "test"))
}

@Suite struct HealthRouteTests {
    @Test(arguments: ["GET", "HEAD"])
    func healthzAnswers200(method: String) throws {
        let response = StatehouseAPI().respond(to: try request(method, "/healthz"))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"status":"ok"}"#)
    }

    @Test func healthzRefusesOtherMethodsWith405() throws {
        let response = StatehouseAPI().respond(to: try request("POST", "/healthz"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, HEAD")
    }

    @Test func unknownPathsAre404WithAJSONError() throws {
        let response = StatehouseAPI().respond(to: try request("GET", "/nowhere"))
        #expect(response.status == .notFound)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":"no route for /nowhere"}"#)
    }
}
