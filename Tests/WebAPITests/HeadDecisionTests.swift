import Domain
import HTTPServer
import Testing

@testable import WebAPI

/// What the API decides from a request head alone, before any body is read.
@Suite struct HeadDecisionTests {
    private func decide(
        _ method: String, _ target: String, user: String? = "root", headers: [(String, String)] = []
    ) -> Admission {
        APIFixture().api.admit(APIFixture.request(method, target, user: user, headers: headers).incoming)
    }

    private func refusal(_ admission: Admission) -> HTTPStatus? {
        if case .refuse(let response) = admission { return response.status }
        return nil
    }

    private func limit(_ admission: Admission) -> Int? {
        if case .accept(let maxBodyBytes, _) = admission { return maxBodyBytes }
        return nil
    }

    @Test func anonymousAndUnauthorisedRequestsAreRefusedFromTheirHead() {
        #expect(self.refusal(self.decide("POST", "/state/team/app", user: nil)) == .unauthorized)
        #expect(self.refusal(self.decide("POST", "/state/team/app", user: "ghost")) == .unauthorized)
        #expect(self.refusal(self.decide("POST", "/state/team/app", user: "viewer")) == .forbidden)
        #expect(self.refusal(self.decide("LOCK", "/lock/other/app", user: "ci")) == .forbidden)
        #expect(self.refusal(self.decide("DELETE", "/state/team/app", user: "ci")) == .forbidden)
        #expect(self.refusal(self.decide("POST", "/nowhere", user: nil)) == .notFound)
        #expect(self.refusal(self.decide("PATCH", "/state/team/app")) == .methodNotAllowed)
        #expect(self.refusal(self.decide("POST", "/state/bad%20name")) == .badRequest)
        let rollback = [("Content-Type", "application/json")]
        #expect(
            self.refusal(self.decide("POST", "/api/v1/states/team/app/rollback", user: "viewer", headers: rollback))
                == .forbidden)
        #expect(
            self.refusal(self.decide("DELETE", "/api/v1/states/team/app/lock", user: "ci", headers: rollback))
                == .forbidden)
        #expect(
            self.refusal(
                self.decide("POST", "/api/v1/states/team/app/rollback", headers: [("Content-Type", "text/plain")]))
                == HTTPStatus(code: 415))
        #expect(self.refusal(self.decide("GET", "/api/v1/states?bogus=1")) == .badRequest)
        // A cross-site fetch in no-cors mode may POST without any Content-Type: refused too.
        var untyped = APIFixture.request("POST", "/api/v1/states/team/app/restore").incoming
        untyped.head.headers.remove(name: "Content-Type")
        #expect(self.refusal(APIFixture().api.admit(untyped)) == HTTPStatus(code: 415))
        #expect(self.refusal(self.decide("POST", "/healthz", user: nil)) == .methodNotAllowed)
    }

    @Test func eachAcceptedRouteGetsTheBodyItNeeds() {
        #expect(self.limit(self.decide("POST", "/state/team/app", user: "ci")) == .max)
        #expect(self.limit(self.decide("PUT", "/state/team/app", user: "ci")) == .max)
        #expect(self.limit(self.decide("LOCK", "/state/team/app", user: "ci")) == LockInfo.maxBodyBytes)
        #expect(self.limit(self.decide("DELETE", "/lock/team/app", user: "ci")) == LockInfo.maxBodyBytes)
        #expect(self.limit(self.decide("GET", "/state/team/app", user: "viewer")) == StatehouseAPI.smallBodyBytes)
        #expect(self.limit(self.decide("GET", "/healthz", user: nil)) == StatehouseAPI.smallBodyBytes)
        #expect(
            self.limit(
                self.decide(
                    "POST", "/api/v1/states/team/app/rollback", user: "ci",
                    headers: [("Content-Type", "application/json")])) == StatehouseAPI.documentBodyBytes)
        #expect(self.limit(self.decide("GET", "/api/v1/audit", user: "viewer")) == StatehouseAPI.smallBodyBytes)
    }

    @Test func aLockBodyOverItsLimitIs413() {
        let f = APIFixture()
        let huge = #"{"ID":"x","Info":""# + String(repeating: "i", count: LockInfo.maxBodyBytes) + #""}"#
        #expect(f.send("LOCK", "/state/team/app", body: huge).status == .contentTooLarge)
        #expect(f.send("LOCK", "/state/team/app", body: lockJSON("small")).status == .ok)
    }
}
