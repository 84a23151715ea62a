import Application
import Domain
import HTTPServer
import Testing
import WebAPI

/// A protected prefix refuses changes and locks from the principals it does not admit, from the
/// head, whatever their grants; reads and force-unlocks stay theirs.
@Suite struct ProtectedPrefixTests {
    /// `team/prod` only for `ci`; root (admin on *) is bound by it.
    let f = APIFixture(protections: [ProtectedPrefix(prefix: "team/prod", allowed: [.principal("ci")])])

    @Test func anAdmittedPrincipalChangesAndLocks() {
        #expect(f.send("LOCK", "/state/team/prod", user: "ci", body: lockJSON("A")).status == .ok)
        #expect(f.send("POST", "/state/team/prod?ID=A", user: "ci", body: stateJSON(1)).status == .ok)
        #expect(f.send("UNLOCK", "/state/team/prod", user: "ci", body: lockJSON("A")).status == .ok)
    }

    @Test func othersAre403NamingTheRuleFromTheHead() {
        for (method, body) in [("POST", stateJSON(1)), ("LOCK", lockJSON("B")), ("DELETE", "")] {
            let response = f.send(method, "/state/team/prod/eu", user: "root", body: body)
            #expect(response.status == .forbidden, "\(method)")
            #expect(
                response.text.contains(#"protected prefix \"team/prod\" (only ci may change or lock states under it)"#),
                "\(response.text)")
        }
        // Elsewhere root's grants are whole.
        #expect(f.send("POST", "/state/team/dev", user: "root", body: stateJSON(1)).status == .ok)
    }

    @Test func othersStillReadAndForceUnlock() {
        #expect(f.send("LOCK", "/state/team/prod", user: "ci", body: lockJSON("A")).status == .ok)
        #expect(f.send("POST", "/state/team/prod?ID=A", user: "ci", body: stateJSON(1)).status == .ok)
        #expect(f.send("GET", "/state/team/prod", user: "root").status == .ok)
        #expect(f.send("GET", "/api/v1/states/team/prod/versions", user: "root").status == .ok)
        // Terraform's force-unlock (an empty UNLOCK), and the API's.
        #expect(f.send("UNLOCK", "/state/team/prod", user: "root").status == .ok)
        #expect(f.send("LOCK", "/state/team/prod", user: "ci", body: lockJSON("C")).status == .ok)
        #expect(
            f.send("DELETE", "/api/v1/states/team/prod/lock", user: "root", body: #"{"reason":"stuck"}"#).status == .ok)
    }

    @Test func theAPIsRepairsAreChangesToo() {
        #expect(f.send("POST", "/state/team/prod", user: "ci", body: stateJSON(1)).status == .ok)
        #expect(f.send("POST", "/state/team/prod", user: "ci", body: stateJSON(2)).status == .ok)
        let rollback = f.send(
            "POST", "/api/v1/states/team/prod/rollback", user: "root", body: #"{"version":1,"reason":"bad"}"#)
        #expect(rollback.status == .forbidden)
        #expect(f.send("DELETE", "/api/v1/states/team/prod/versions/1", user: "root").status == .forbidden)
    }
}
