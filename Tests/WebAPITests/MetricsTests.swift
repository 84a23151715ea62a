import Application
import Domain
import Foundation
import HTTPServer
import HTTPTestSupport
import InMemoryStore
import Prometheus
import Testing
import WebAPI

/// The API's counters and gauges, `/metrics` and `/readyz`, over the in-memory store.
@Suite struct MetricsTests {
    /// An API recording into its own registry.
    struct Scraped {
        let fixture: APIFixture

        init(
            store: any UnitOfWork = InMemoryStore(), requireAuth: Bool = false, clock: any WallClock = StaticClock(),
            heavyRequests: Int = 4
        ) {
            let registry = PrometheusCollectorRegistry()
            let endpoint = MetricsEndpoint(
                factory: PrometheusMetricsFactory(registry: registry), requireAuth: requireAuth,
                exposition: {
                    var buffer: [UInt8] = []
                    registry.emit(into: &buffer)
                    return buffer
                })
            self.fixture = APIFixture(store: store, metrics: endpoint, clock: clock, heavyRequests: heavyRequests)
        }

        func scrape() -> PrometheusText {
            let response = self.fixture.send("GET", "/metrics", user: nil)
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
            return PrometheusText(response.text)
        }
    }

    @Test func lockCountersMoveWithLockTraffic() {
        let api = Scraped()
        let f = api.fixture
        #expect(api.scrape().count("statehouse_lock_acquisitions_total") == 0)
        #expect(f.send("LOCK", "/state/s", body: lockJSON("A")).status == .ok)
        #expect(f.send("LOCK", "/state/s", body: lockJSON("A")).status == .ok)  // already held: not counted again
        #expect(f.send("LOCK", "/state/s", body: lockJSON("B")).status == .conflict)
        #expect(f.send("LOCK", "/lock/s", body: lockJSON("C")).status == .conflict)
        var metrics = api.scrape()
        #expect(metrics["statehouse_lock_acquisitions_total"] == 1)
        #expect(metrics["statehouse_lock_conflicts_total"] == 2)
        #expect(metrics["statehouse_locks"] == 1)
        #expect(metrics["statehouse_lock_oldest_age_seconds"] == 0)  // the fixture's clock stands still

        #expect(f.send("UNLOCK", "/state/s", body: "").text == #"{"status":"force-unlocked"}"#)
        #expect(f.send("LOCK", "/state/t", body: lockJSON("D")).status == .ok)
        #expect(
            f.send("DELETE", "/api/v1/states/t/lock", body: "{}", headers: [("Content-Type", "application/json")])
                .status == .ok)
        metrics = api.scrape()
        #expect(metrics["statehouse_lock_force_unlocks_total"] == 2)
        #expect(metrics["statehouse_lock_acquisitions_total"] == 2)
        #expect(metrics["statehouse_locks"] == 0)
    }

    @Test func theOldestLockAgeFollowsTheClock() {
        let clock = MovableClock()
        let api = Scraped(clock: clock)
        #expect(api.fixture.send("LOCK", "/state/old", body: lockJSON("A")).status == .ok)
        clock.advance(seconds: 90)
        #expect(api.fixture.send("LOCK", "/state/new", body: lockJSON("B")).status == .ok)
        clock.advance(seconds: 30)
        var metrics = api.scrape()
        #expect(metrics["statehouse_locks"] == 2)
        #expect(metrics["statehouse_lock_oldest_age_seconds"] == 120)
        #expect(api.fixture.send("UNLOCK", "/state/old", body: lockJSON("A")).status == .ok)
        metrics = api.scrape()
        #expect(metrics["statehouse_locks"] == 1)
        #expect(metrics["statehouse_lock_oldest_age_seconds"] == 30)
    }

    @Test func refusedWritesAreCountedByTheCheckThatRefusedThem() {
        let api = Scraped()
        let f = api.fixture
        #expect(f.send("POST", "/state/s", body: stateJSON(5)).status == .ok)
        #expect(f.send("POST", "/state/s", body: stateJSON(4)).status == .conflict)  // stale serial
        #expect(f.send("POST", "/state/s", body: stateJSON(6, lineage: "other")).status == .conflict)
        #expect(f.send("LOCK", "/state/s", body: lockJSON("A")).status == .ok)
        #expect(f.send("POST", "/state/s", body: stateJSON(6)).status == .conflict)  // locked, no ID
        #expect(f.send("POST", "/state/s?ID=B", body: stateJSON(6)).status == .conflict)  // someone else's ID
        #expect(f.send("POST", "/state/s?ID=A", body: stateJSON(6)).status == .ok)
        let metrics = api.scrape()
        #expect(metrics[#"statehouse_write_rejections_total{reason="serial"}"#] == 1)
        #expect(metrics[#"statehouse_write_rejections_total{reason="lineage"}"#] == 1)
        #expect(metrics[#"statehouse_write_rejections_total{reason="fencing"}"#] == 2)
        #expect(metrics[#"statehouse_store_errors_total{kind="unavailable"}"#] == 0)
    }

    @Test func storeErrorsAreCountedByKind() {
        let down = Scraped(store: FailingStore(error: StoreError(.unavailable, "connection refused")))
        #expect(down.fixture.send("GET", "/state/s").status == .serviceUnavailable)
        #expect(down.fixture.send("GET", "/api/v1/states").status == .serviceUnavailable)
        #expect(down.scrape()[#"statehouse_store_errors_total{kind="unavailable"}"#] == 2)
        let broken = Scraped(store: FailingStore(error: StoreError(.fault, "relation missing")))
        #expect(broken.fixture.send("POST", "/state/s", body: stateJSON(1)).status == .internalServerError)
        let metrics = broken.scrape()
        #expect(metrics[#"statehouse_store_errors_total{kind="fault"}"#] == 1)
        #expect(metrics[#"statehouse_store_errors_total{kind="unavailable"}"#] == 0)
        let full = Scraped(store: FailingStore(error: StoreError(.diskFull, "database or disk is full")))
        #expect(full.fixture.send("LOCK", "/state/s", body: lockJSON("A")).status == .serviceUnavailable)
        #expect(full.scrape()[#"statehouse_store_errors_total{kind="disk_full"}"#] == 1)
    }

    @Test func metricsNeedNoLoginUnlessConfigured() throws {
        let open = Scraped()
        #expect(open.fixture.send("GET", "/metrics", user: nil).status == .ok)
        #expect(open.fixture.send("HEAD", "/metrics", user: nil).status == .ok)
        #expect(open.fixture.send("POST", "/metrics", user: nil).status.code == 405)
        let closed = Scraped(requireAuth: true)
        #expect(closed.fixture.send("GET", "/metrics", user: nil).status == .unauthorized)
        #expect(closed.fixture.send("GET", "/metrics", user: "viewer", password: "wrong").status == .unauthorized)
        let scraped = closed.fixture.send("GET", "/metrics", user: "viewer")
        #expect(scraped.status == .ok)
        #expect(scraped.text.contains("statehouse_lock_acquisitions_total"))
        // An API token is not a user of [[users]], whatever its grants.
        let created = closed.fixture.send(
            "POST", "/api/v1/tokens", user: "root", body: #"{"name":"ci","grants":{"*":"admin"}}"#)
        #expect(created.status.code == 201)
        let secret = try #require(
            (try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])?["token"] as? String)
        let byToken = closed.fixture.send(
            "GET", "/metrics", user: nil, headers: [("Authorization", "Bearer \(secret)")])
        #expect(byToken.status == .forbidden)
        #expect(byToken.text.contains("only users of [[users]] may read the metrics"))
    }

    @Test func withoutAnEndpointThereIsNoMetricsRoute() {
        #expect(APIFixture().send("GET", "/metrics", user: nil).status == .notFound)
    }

    @Test func readyzAsksTheStoreWithoutLogin() {
        let up = APIFixture()
        let ready = up.send("GET", "/readyz", user: nil)
        #expect(ready.status == .ok)
        #expect(ready.text == #"{"status":"ready"}"#)
        #expect(up.send("POST", "/readyz", user: nil).status.code == 405)
        let down = APIFixture(store: FailingStore(error: StoreError(.unavailable, "connection refused")))
        let unready = down.send("GET", "/readyz", user: nil)
        #expect(unready.status == .serviceUnavailable)
        #expect(unready.headers["Retry-After"] == "2")
        // No login is needed here, so the store's own words (host, role) stay in the log.
        #expect(unready.text == #"{"error":"the store is not answering; the server log says why"}"#)
        #expect(down.send("GET", "/healthz", user: nil).status == .ok)  // alive, just not ready
        // Probes and scrapes are not requests the store failed: a probe every two seconds must
        // not drown the counter.
        let probed = Scraped(store: FailingStore(error: StoreError(.unavailable, "connection refused")))
        #expect(probed.fixture.send("GET", "/readyz", user: nil).status == .serviceUnavailable)
        #expect(probed.scrape()[#"statehouse_store_errors_total{kind="unavailable"}"#] == 0)
    }

    @Test func everyResponseNamesItsRouteClass() {
        let f = APIFixture()
        #expect(f.send("GET", "/healthz", user: nil).route == "health")
        #expect(f.send("GET", "/readyz", user: nil).route == "health")
        #expect(f.send("GET", "/api/v1/openapi.json", user: nil).route == "api")
        #expect(f.send("GET", "/api/v1/states").route == "api")
        #expect(f.send("GET", "/state/s").route == "state")
        #expect(f.send("GET", "/state/s", user: nil).route == "state")  // 401 still counts as its route
        #expect(f.send("POST", "/state/s", body: stateJSON(1)).route == "state")
        #expect(f.send("LOCK", "/state/s", body: lockJSON("A")).route == "lock")
        #expect(f.send("UNLOCK", "/unlock/s", body: lockJSON("A")).route == "lock")
        #expect(f.send("GET", "/nowhere").route == "unmatched")
        #expect(f.send("GET", "/metrics").route == "unmatched")
    }
}

/// A clock the test moves by hand.
final class MovableClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var microseconds: Int64 = 1_795_000_000_000_000

    func now() -> Timestamp {
        self.lock.withLock { Timestamp(microseconds: self.microseconds) }
    }

    func advance(seconds: Int64) {
        self.lock.withLock { self.microseconds += seconds * 1_000_000 }
    }
}
