import Domain
import HTTPServer
import Testing

/// What a protocol route refuses before it reaches the store: requests a web page could send,
/// LockInfo past its limits, and states the clients would read differently from the server.
@Suite struct BoundedInputTests {
    /// Every state-changing method on every protocol URL.
    static let changes = [
        ("POST", "/state/team/app"), ("PUT", "/state/team/app"), ("DELETE", "/state/team/app"),
        ("LOCK", "/state/team/app"), ("UNLOCK", "/state/team/app"), ("LOCK", "/lock/team/app"),
        ("POST", "/lock/team/app"), ("PUT", "/lock/team/app"), ("UNLOCK", "/lock/team/app"),
        ("DELETE", "/lock/team/app"), ("UNLOCK", "/unlock/team/app"), ("POST", "/unlock/team/app"),
        ("PUT", "/unlock/team/app"), ("DELETE", "/unlock/team/app"),
    ]

    private func status(_ method: String, _ path: String, _ headers: [(String, String)]) -> HTTPStatus? {
        switch APIFixture().api.admit(APIFixture.request(method, path, headers: headers).incoming) {
        case .refuse(let response): response.status
        case .accept: nil
        }
    }

    @Test(arguments: Self.changes)
    func formContentTypesAre415FromTheHead(method: String, path: String) {
        for type in [
            "text/plain", "TEXT/Plain;charset=UTF-8", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", " text/plain ",
        ] {
            #expect(self.status(method, path, [("Content-Type", type)]) == HTTPStatus(code: 415), "\(type)")
        }
        // What Terraform and OpenTofu send: application/json with a body, nothing without one.
        #expect(self.status(method, path, [("Content-Type", "application/json")]) == nil)
        var untyped = APIFixture.request(method, path).incoming
        untyped.head.headers.remove(name: "Content-Type")
        #expect(APIFixture().api.admit(untyped).refused == nil)
    }

    @Test(arguments: Self.changes)
    func browsersMarkingAnotherSiteAre403FromTheHead(method: String, path: String) {
        for headers in [
            [("Origin", "https://evil.example")], [("Origin", "null")], [("Sec-Fetch-Site", "cross-site")],
            [("Sec-Fetch-Site", "same-site"), ("Origin", "http://test")],
        ] {
            #expect(self.status(method, path, headers) == .forbidden, "\(headers)")
        }
        for headers in [[("Origin", "http://TEST")], [("Sec-Fetch-Site", "same-origin")], [("Sec-Fetch-Site", "none")]]
        {
            #expect(self.status(method, path, headers) == nil, "\(headers)")
        }
    }

    @Test func readsAreNotRefusedForTheirContentTypeOrOrigin() {
        let headers = [("Content-Type", "text/plain"), ("Origin", "https://evil.example")]
        #expect(self.status("GET", "/state/team/app", headers) == nil)
        #expect(self.status("HEAD", "/state/team/app", headers) == nil)
    }

    @Test func aCrossSiteForceUnlockLeavesTheLockAndSaysWhatToSend() throws {
        let f = APIFixture()
        #expect(f.send("LOCK", "/state/team/app", body: lockJSON("A")).status == .ok)
        let form = f.send("POST", "/unlock/team/app", headers: [("Content-Type", "text/plain")])
        #expect(form.status == HTTPStatus(code: 415))
        #expect(form.text.contains("-H 'Content-Type: application/json'"))
        var fetch = APIFixture.request("POST", "/unlock/team/app", headers: [("Origin", "https://evil.example")])
        fetch.head.headers.remove(name: "Content-Type")
        #expect(f.api.handle(fetch).status == .forbidden)
        #expect(f.send("LOCK", "/state/team/app", body: lockJSON("B")).status == .conflict, "still locked by A")
    }

    @Test func lockInfoPastAFieldLimitIs400NamingTheField() {
        let f = APIFixture()
        let who = String(repeating: "w", count: 513)
        let response = f.send(
            "LOCK", "/state/team/app", body: #"{"ID":"A","Who":"\#(who)"}"#,
            headers: [("Content-Type", "application/json")])
        #expect(response.status == .badRequest)
        #expect(response.text == #"{"error":"lock info \"Who\" is 513 bytes; at most 512 are accepted"}"#)
        #expect(f.send("LOCK", "/state/team/app", body: lockJSON("B")).status == .ok, "nothing was locked")
    }

    @Test func aStateThatGoWouldReadWithAnotherSerialIsRefused() {
        let f = APIFixture()
        #expect(f.send("POST", "/state/team/app", body: stateJSON(4)).status == .ok)
        let response = f.send("POST", "/state/team/app", body: #"{"version":4,"serial":5,"lineage":"L","SERIAL":1}"#)
        #expect(response.status == .badRequest)
        #expect(response.text.contains(#"state key \"SERIAL\" at byte 38 would be read as \"serial\""#))
        #expect(f.send("GET", "/state/team/app").text == stateJSON(4), "nothing was stored")
    }
}

extension Admission {
    /// The refusal's status, or `nil` when accepted.
    var refused: HTTPStatus? {
        if case .refuse(let response) = self { return response.status }
        return nil
    }
}
