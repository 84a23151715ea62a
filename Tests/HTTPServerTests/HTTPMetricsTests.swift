import HTTPServer
import HTTPTestSupport
import Prometheus
import Testing

/// Request metrics recorded by a live server.
@Suite struct HTTPMetricsTests {
    /// Echoes the body; `/sync` is its own route class so that its own recording never races
    /// the assertions about the others.
    struct RoutedEcho: RequestResponder {
        func respond(to request: Request) -> Response {
            var response = Response(status: .ok, body: request.path == "/fixed" ? Array("abc".utf8) : request.body)
            response.route = request.path == "/sync" ? "sync" : "echo"
            return response
        }
    }

    @Test func everyAnsweredRequestIsCountedTimedAndWeighed() throws {
        let registry = PrometheusCollectorRegistry()
        let live = try LiveServer(responder: RoutedEcho(), metrics: PrometheusMetricsFactory(registry: registry))
        let client = try live.client()
        #expect(try client.exchange("GET /a HTTP/1.1\r\nHost: t\r\n\r\n").status == 200)
        #expect(try client.exchange("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello").text == "hello")
        #expect(try client.exchange("BREW /a HTTP/1.1\r\nHost: t\r\n\r\n").status == 200)
        // HEAD sends no body: none is counted.
        try client.send("HEAD /fixed HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse(headRequest: true).status == 200)
        // The server records a request after writing its answer and before reading the next
        // one on the same connection: once /sync is answered, the three above are recorded.
        #expect(try client.exchange("GET /sync HTTP/1.1\r\nHost: t\r\n\r\n").status == 200)
        // The server's own refusal (no request head yet, so no method): answered, recorded,
        // then the connection is closed.
        let refused = try live.client()
        try refused.send("GET /a HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n")
        #expect(try refused.readResponse().status == 400)
        #expect(refused.isEventuallyClosed())

        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let metrics = PrometheusText(String(decoding: buffer, as: UTF8.self))
        #expect(metrics[#"statehouse_http_requests_total{route="echo",method="GET",status="200"}"#] == 1)
        #expect(metrics[#"statehouse_http_requests_total{route="echo",method="POST",status="200"}"#] == 1)
        #expect(metrics[#"statehouse_http_requests_total{route="echo",method="other",status="200"}"#] == 1)
        #expect(metrics[#"statehouse_http_requests_total{route="echo",method="HEAD",status="200"}"#] == 1)
        #expect(metrics[#"statehouse_http_requests_total{route="none",method="other",status="400"}"#] == 1)
        #expect(metrics[#"statehouse_http_request_bytes_total{route="echo"}"#] == 5)
        #expect(metrics[#"statehouse_http_response_bytes_total{route="echo"}"#] == 5)
        #expect(metrics[#"statehouse_http_request_duration_seconds_count{route="echo",method="GET"}"#] == 1)
        #expect(metrics[#"statehouse_http_request_duration_seconds_bucket{route="echo",method="GET",le="+Inf"}"#] == 1)
        #expect((metrics[#"statehouse_http_request_duration_seconds_sum{route="echo",method="POST"}"#] ?? 0) > 0)
    }

    @Test func connectionsOverTheCapsAndEvictionsAreCounted() throws {
        let registry = PrometheusCollectorRegistry()
        let gate = GateResponder()
        let live = try LiveServer(
            configure: {
                $0.maxConnections = 2
                $0.maxConnectionsPerAddress = 1
            }, responder: gate, metrics: PrometheusMetricsFactory(registry: registry))
        let busy = try live.client()
        try busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        gate.entered.wait()
        #expect(try live.client().readResponse().status == 503)
        let idle = try live.client(from: "127.0.0.2")
        let newcomer = try live.client(from: "127.0.0.3")
        try newcomer.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        gate.entered.wait()
        #expect(idle.isClosedByPeer())
        #expect(try live.client(from: "127.0.0.4").readResponse().status == 503)
        gate.release.signal()
        gate.release.signal()
        #expect(try busy.readResponse().status == 200)
        #expect(try newcomer.readResponse().status == 200)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let metrics = PrometheusText(String(decoding: buffer, as: UTF8.self))
        #expect(metrics[#"statehouse_http_connections_rejected_total{reason="per_address"}"#] == 1)
        #expect(metrics[#"statehouse_http_connections_rejected_total{reason="max_connections"}"#] == 1)
        #expect(metrics["statehouse_http_connections_evicted_total"] == 1)
        #expect(metrics["statehouse_http_connections"] == 2)
    }
}
