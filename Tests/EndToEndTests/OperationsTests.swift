import Foundation
import HTTPServer
import HTTPTestSupport
import Testing

/// What an operator watches: `/metrics` moving with real traffic on the real binary, and
/// `/readyz` following the database.
@Suite struct OperationsTests {
    @Test(arguments: EndToEndStore.allCases)
    func metricsMoveWithTraffic(store: EndToEndStore) throws {
        let server = try StatehouseUnderTest(store: store)
        // One kept-alive connection: the server records a request before it reads the next
        // one, so each scrape sees every request sent before it.
        let client = try server.client()
        let before = PrometheusText(try client.request("GET", "/metrics").text)
        #expect(before[#"statehouse_build_info{version="0.1.0"}"#] == 1)
        for cycle in 1...3 {
            let id = "cycle-\(cycle)"
            #expect(try client.request("LOCK", "/state/app", body: lockJSON(id)).status == 200)
            #expect(try client.request("POST", "/state/app?ID=\(id)", body: stateJSON(cycle)).status == 200)
            #expect(try client.request("UNLOCK", "/state/app", body: lockJSON(id)).status == 200)
        }
        #expect(try client.request("LOCK", "/state/app", body: lockJSON("holder")).status == 200)
        #expect(try client.request("LOCK", "/state/app", body: lockJSON("intruder")).status == 409)
        #expect(try client.request("POST", "/state/app", body: stateJSON(9)).status == 409)  // fenced: no lock ID
        #expect(try client.request("UNLOCK", "/state/app", body: "").status == 200)  // force-unlock
        #expect(try client.request("POST", "/state/app", body: stateJSON(1)).status == 409)  // stale serial
        #expect(try client.request("GET", "/state/app").status == 200)
        let after = PrometheusText(try client.request("GET", "/metrics").text)

        func delta(_ series: String) -> Double { after.count(series) - before.count(series) }
        #expect(delta(#"statehouse_http_requests_total{route="lock",method="LOCK",status="200"}"#) == 4)
        #expect(delta(#"statehouse_http_requests_total{route="lock",method="LOCK",status="409"}"#) == 1)
        #expect(delta(#"statehouse_http_requests_total{route="state",method="POST",status="200"}"#) == 3)
        #expect(delta(#"statehouse_http_requests_total{route="state",method="POST",status="409"}"#) == 2)
        #expect(delta(#"statehouse_http_requests_total{route="metrics",method="GET",status="200"}"#) == 1)
        #expect(delta(#"statehouse_http_request_duration_seconds_count{route="state",method="POST"}"#) == 5)
        #expect(delta(#"statehouse_http_request_bytes_total{route="state"}"#) > 0)
        #expect(delta(#"statehouse_http_response_bytes_total{route="state"}"#) > 0)
        #expect(delta("statehouse_lock_acquisitions_total") == 4)
        #expect(delta("statehouse_lock_conflicts_total") == 1)
        #expect(delta("statehouse_lock_force_unlocks_total") == 1)
        #expect(delta(#"statehouse_write_rejections_total{reason="fencing"}"#) == 1)
        #expect(delta(#"statehouse_write_rejections_total{reason="serial"}"#) == 1)
        #expect(after["statehouse_locks"] == 0)
        #expect(after["statehouse_http_connections"] == 1)
        let pools = store == .postgres ? ["postgres"] : ["sqlite_writer", "sqlite_readers"]
        for pool in pools {
            #expect(after[#"statehouse_store_pool_size{pool="\#(pool)"}"#] != nil, "pool \(pool)")
            #expect(after[#"statehouse_store_pool_in_use{pool="\#(pool)"}"#] == 0, "pool \(pool)")
            #expect(after[#"statehouse_store_pool_waits_total{pool="\#(pool)"}"#] != nil, "pool \(pool)")
        }
    }

    @Test func readyzFollowsPostgreSQLWithoutARestart() throws {
        let database = try PrivatePostgres()
        let server = try StatehouseUnderTest(store: .postgres, databaseURL: database.url)
        let client = try server.client()
        #expect(try client.request("GET", "/readyz").status == 200)
        #expect(try client.request("POST", "/state/app", body: stateJSON(1)).status == 200)

        try database.stop()
        let down = try client.request("GET", "/readyz")
        #expect(down.status == 503)
        #expect(down.headers["Retry-After"] == "2")
        #expect(!down.text.contains("127.0.0.1"))  // the reason is for the log, not for anyone
        #expect(try client.request("GET", "/healthz").status == 200)  // alive, not ready
        #expect(try client.request("GET", "/state/app").status == 503)  // Terraform retries this
        let metrics = PrometheusText(try client.request("GET", "/metrics").text)
        #expect(metrics.count(#"statehouse_store_errors_total{kind="unavailable"}"#) == 1)  // the GET

        try database.start()
        #expect(try client.request("GET", "/readyz").status == 200)
        #expect(try client.request("GET", "/state/app").status == 200)
        #expect(try client.request("POST", "/state/app", body: stateJSON(2)).status == 200)
        #expect(server.process.isRunning)
    }
}

/// A minimal state with `serial`.
private func stateJSON(_ serial: Int) -> String {
    #"{"version":4,"terraform_version":"1.15.5","serial":\#(serial),"lineage":"ops","outputs":{},"resources":[]}"#
}
