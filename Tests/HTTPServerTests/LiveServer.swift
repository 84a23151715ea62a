import CoreMetrics
import Dispatch
import HTTPServer
import HTTPTestSupport
import Logging

/// A server on 127.0.0.1 and ::1, port 0, for one test.
final class LiveServer {
    let server: HTTPServer
    let port: Int

    init(
        configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        responder: any HTTPResponder = EchoResponder(), metrics: (any MetricsFactory)? = nil
    ) throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configure(&configuration)
        self.server = try HTTPServer(
            configuration: configuration, responder: responder,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), metrics: metrics)
        try self.server.start()
        self.port = self.server.addresses[0].port
    }

    deinit { self.server.shutdown(drainTimeout: .seconds(5)) }

    func client(from source: String? = nil) throws -> TestClient {
        try TestClient(port: self.port, source: source)
    }
}

/// Answers with the request body and describes the request in headers.
struct EchoResponder: RequestResponder {
    func respond(to request: Request) -> Response {
        Response(
            status: .ok,
            headers: [
                "X-Method": request.method, "X-Path": request.path,
                "X-ID": request.queryValue("ID") ?? "-", "X-Seen-Request-Id": request.id,
            ],
            body: request.body)
    }
}

/// Holds requests for `/slow` in flight until released; answers others at once.
final class GateResponder: RequestResponder, @unchecked Sendable {
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    func respond(to request: Request) -> Response {
        guard request.path == "/slow" else { return Response(status: .ok) }
        self.entered.signal()
        self.release.wait()
        return Response(status: .ok, body: Array("done".utf8))
    }
}
