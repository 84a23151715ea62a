import Application
import Foundation
import HTTPServer
import Testing

@testable import WebAPI

/// Diffs, rollbacks, outputs and large uncompressed downloads under the heavy work permits, and the limits
/// of a diff.
@Suite struct HeavyRequestTests {
    func write(_ f: APIFixture, _ name: String, _ bodies: [String]) {
        for body in bodies { #expect(f.send("POST", "/state/\(name)", body: body).status == .ok) }
    }

    func expectBusy(_ response: Response, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == .serviceUnavailable, sourceLocation: sourceLocation)
        #expect(response.headers["Retry-After"] == "2", sourceLocation: sourceLocation)
        #expect(response.text == jsonError(HeavyWork.busyMessage), sourceLocation: sourceLocation)
    }

    @Test func pastTheLimitDiffsAndRollbacksAre503BeforeAnyWorkAndCounted() throws {
        let api = MetricsTests.Scraped(heavyRequests: 1)
        let f = api.fixture
        self.write(f, "app", [stateJSON(1), stateJSON(2)])
        let held = try #require(f.heavyWork.permit(for: .download))
        var metrics = api.scrape()
        #expect(metrics["statehouse_heavy_requests_limit"] == 1)
        #expect(metrics["statehouse_heavy_requests"] == 1)
        self.expectBusy(f.send("GET", "/api/v1/states/app/diff", user: "viewer"))
        self.expectBusy(f.send("HEAD", "/api/v1/states/app/diff", user: "viewer"))
        self.expectBusy(f.send("POST", "/api/v1/states/app/rollback", body: #"{"version":1}"#))
        self.expectBusy(f.send("GET", "/api/v1/states/app/outputs", user: "viewer"))
        #expect(f.send("GET", "/state/app").text == stateJSON(2), "the refused rollback wrote nothing")
        // What the head says about the request itself comes first.
        #expect(f.send("POST", "/api/v1/states/app/rollback", user: "viewer", body: "{}").status == .forbidden)
        #expect(f.send("GET", "/api/v1/states/app/diff?form=1", user: "viewer").status == .badRequest)
        metrics = api.scrape()
        #expect(metrics[#"statehouse_heavy_requests_refused_total{operation="diff"}"#] == 2)
        #expect(metrics[#"statehouse_heavy_requests_refused_total{operation="rollback"}"#] == 1)
        #expect(metrics[#"statehouse_heavy_requests_refused_total{operation="outputs"}"#] == 1)

        held.release()
        #expect(f.send("GET", "/api/v1/states/app/diff", user: "viewer").status == .ok)
        #expect(f.send("POST", "/api/v1/states/app/rollback", body: #"{"version":1}"#).status == .ok)
        #expect(f.send("GET", "/api/v1/states/app/outputs", user: "viewer").status == .ok)
        #expect(api.scrape()["statehouse_heavy_requests"] == 0, "each answered request gave its permit back")
    }

    @Test func anAdmittedRequestThatIsNeverAnsweredGivesItsPermitBack() {
        let f = APIFixture(heavyRequests: 1)
        do {
            let admission = f.api.admit(APIFixture.request("GET", "/api/v1/states/app/diff").incoming)
            guard case .accept = admission else {
                Issue.record("the diff was not admitted")
                return
            }
            #expect(f.heavyWork.permit(for: .diff) == nil, "the admitted diff holds the only permit")
            withExtendedLifetime(admission) {}
        }
        #expect(f.heavyWork.permit(for: .diff) != nil)
    }

    @Test func largeUncompressedDownloadsNeedAPermitCompressedOnesDoNot() throws {
        let f = APIFixture(heavyRequests: 1)
        let large = #"{"serial":1,"lineage":"L","pad":"\#(String(repeating: "x", count: 1 << 20))"}"#
        self.write(f, "big", [large])
        let held = try #require(f.heavyWork.permit(for: .diff))
        for target in ["/state/big", "/api/v1/states/big/versions/1"] {
            self.expectBusy(f.send("GET", target, user: "viewer"))
            let compressed = f.send("GET", target, user: "viewer", headers: [("Accept-Encoding", "gzip")])
            #expect(compressed.status == .ok)
            #expect(compressed.headers["Content-Encoding"] == "gzip")
        }
        held.release()
        #expect(f.send("GET", "/state/big", user: "viewer").text == large)
    }

    @Test func aDiffOfAVersionOverTheLimitIsRefusedNamingTheKey() {
        let f = APIFixture(maxDiffBytes: Int64(stateJSON(1).utf8.count))
        self.write(f, "app", [stateJSON(1), stateJSON(2), stateJSON(10)])
        #expect(f.send("GET", "/api/v1/states/app/diff?from=1&to=2", user: "viewer").status == .ok)
        let refused = f.send("GET", "/api/v1/states/app/diff?from=2&to=3", user: "viewer")
        #expect(refused.status == HTTPStatus(code: 422))
        #expect(
            refused.text
                == jsonError(
                    "version 3 of app is \(stateJSON(10).utf8.count) bytes, over the \(stateJSON(1).utf8.count) bytes "
                        + "this server diffs (state.max_diff_bytes); download both versions and compare them locally"))
    }

    @Test func aDiffLargerThanTheServerReportsSaysItIsTruncated() throws {
        // Five outputs that each change by a quarter of what a diff reports: the first three fit.
        func state(_ serial: Int, _ fill: String) -> String {
            let value = String(repeating: fill, count: DiffVersions.defaultReportedBytes / 8)
            let outputs = (0..<5).map { #""o\#($0)":{"value":"\#(value)","type":"string"}"# }
            return #"{"version":4,"serial":\#(serial),"lineage":"L","outputs":{\#(outputs.joined(separator: ","))}}"#
        }
        let f = APIFixture()
        self.write(f, "app", [state(1, "a"), state(2, "b")])
        let response = f.send("GET", "/api/v1/states/app/diff", user: "viewer")
        #expect(response.status == .ok)
        let diff = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(diff["truncated"] as? Bool == true)
        let changed = (diff["outputs"] as? [String: Any])?["changed"] as? [[String: Any]]
        #expect(changed?.map { $0["name"] as? String } == ["o0", "o1", "o2"])
        #expect(response.body.count < DiffVersions.defaultReportedBytes + 1000)

        let small = f.send("GET", "/api/v1/states/app/diff?from=1&to=1", user: "viewer")
        let whole = try #require(try JSONSerialization.jsonObject(with: Data(small.body)) as? [String: Any])
        #expect(whole["truncated"] as? Bool == false)
    }
}
