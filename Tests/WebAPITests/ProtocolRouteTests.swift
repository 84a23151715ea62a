import Application
import Domain
import Gzip
import HTTPServer
import SystemSupport
import Testing
import WebAPI

@Suite struct ProtocolRouteTests {
    @Test func healthNeedsNoCredentials() {
        let f = APIFixture()
        #expect(f.send("GET", "/healthz", user: nil).status == .ok)
        #expect(f.send("POST", "/healthz", user: nil).headers["Allow"] == "GET, HEAD")
    }

    @Test(arguments: [
        // (lock method, lock path, unlock method, unlock path)
        ("LOCK", "/state/s", "UNLOCK", "/state/s"),
        ("LOCK", "/lock/s", "UNLOCK", "/lock/s"),
        ("POST", "/lock/s", "DELETE", "/lock/s"),
        ("PUT", "/lock/s", "DELETE", "/unlock/s"),
        ("LOCK", "/lock/s", "POST", "/unlock/s"),
        ("LOCK", "/lock/s", "PUT", "/unlock/s"),
        ("LOCK", "/lock/s", "UNLOCK", "/unlock/s"),
    ])
    func everyConfiguredMethodCombinationLocksAndUnlocks(
        lockMethod: String, lockPath: String, unlockMethod: String, unlockPath: String
    ) {
        let f = APIFixture()
        #expect(f.send(lockMethod, lockPath, body: lockJSON("A")).status == .ok)
        let conflict = f.send("LOCK", "/state/s", body: lockJSON("B"))
        #expect(conflict.status == .conflict)
        #expect(conflict.text == lockJSON("A"), "the holder's LockInfo, byte for byte")
        #expect(f.send(unlockMethod, unlockPath, body: lockJSON("A")).status == .ok)
        #expect(f.send("LOCK", "/state/s", body: lockJSON("B")).status == .ok)
    }

    @Test(arguments: [("PATCH", "/state/s"), ("GET", "/lock/s"), ("GET", "/unlock/s"), ("LOCK", "/unlock/s")])
    func otherMethodsGet405WithAllow(method: String, path: String) {
        let response = APIFixture().send(method, path)
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] != nil)
    }

    @Test func unknownPathsAre404() {
        #expect(APIFixture().send("GET", "/states/x").status == .notFound)
    }

    @Test(arguments: [
        "/state/", "/state", "/state/a/../b", "/state/a%20b", "/state/a//b",
        "/state/" + String(repeating: "n", count: 256),
    ])
    func badNamesAre400SayingWhy(path: String) {
        let response = APIFixture().send("GET", path)
        #expect(response.status == .badRequest)
        #expect(response.text.hasPrefix(#"{"error":"state name"#))
    }

    @Test func missingOrWrongCredentialsAre401WithAChallengeNever404() {
        let f = APIFixture()
        for response in [
            f.send("GET", "/state/s", user: nil), f.send("GET", "/state/s", password: "nope"),
            f.send("GET", "/state/s", user: "ghost"),
        ] {
            #expect(response.status == .unauthorized)
            #expect(response.headers["WWW-Authenticate"] == #"Basic realm="statehouse", charset="UTF-8""#)
        }
        #expect(f.send("GET", "/state/s", headers: [("Authorization", "Bearer abc")]).status == .unauthorized)
    }

    @Test func aVerifiedClientCertificateLogsInItsUser() {
        let f = APIFixture()
        #expect(f.send("POST", "/state/s", user: nil, body: stateJSON(1), certificate: "ci-runner").status == .ok)
        #expect(
            f.send("DELETE", "/state/s", user: nil, certificate: "ci-runner").status == .forbidden,
            "runner may only write")
        #expect(f.send("GET", "/state/s", user: nil, certificate: "stranger").status == .unauthorized)
        // Basic credentials, when sent, decide: a wrong password is not rescued by a certificate.
        #expect(f.send("GET", "/state/s", password: "nope", certificate: "ci-runner").status == .unauthorized)
        // A certificate-only user has no password to guess.
        #expect(f.send("GET", "/state/s", user: "runner", password: "").status == .unauthorized)
    }

    @Test func aSaturatedPasswordCheckIs503NotA401() throws {
        let response = APIFixture(verifier: BusyVerifier()).send("GET", "/state/s")
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers["Retry-After"] == "2")
    }

    @Test func permissionsAre403() {
        let f = APIFixture()
        #expect(f.send("POST", "/state/team/a", user: "viewer", body: stateJSON(1)).status == .forbidden)
        #expect(f.send("LOCK", "/state/other", user: "ci", body: lockJSON("A")).status == .forbidden)
        #expect(f.send("POST", "/state/team/a", user: "ci", body: stateJSON(1)).status == .ok)
        #expect(f.send("DELETE", "/state/team/a", user: "ci").status == .forbidden)
        #expect(f.send("GET", "/state/team/a", user: "viewer").status == .ok)
    }

    @Test func getServesTheExactBytesWithMD5AndETag() throws {
        let f = APIFixture()
        #expect(f.send("GET", "/state/s").status == .notFound)
        let body = stateJSON(1)
        #expect(f.send("POST", "/state/s", body: body).status == .ok)
        let plain = f.send("GET", "/state/s")
        #expect(plain.status == .ok)
        #expect(plain.text == body)
        #expect(plain.headers["Content-Type"] == "application/json")
        #expect(plain.headers["Content-Encoding"] == nil)
        #expect(plain.headers["Content-MD5"] == Base64.encode(StateBlob.md5(Array(body.utf8))))
        #expect(plain.headers["X-Statehouse-Serial"] == "1")
        let etag = try #require(plain.headers["ETag"])
        #expect(f.send("GET", "/state/s", headers: [("If-None-Match", etag)]).status.code == 304)

        let gzip = f.send("GET", "/state/s", headers: [("Accept-Encoding", "gzip")])
        #expect(gzip.headers["Content-Encoding"] == "gzip")
        #expect(gzip.headers["Content-MD5"] == plain.headers["Content-MD5"], "MD5 of the uncompressed body")
        #expect(gzip.headers["ETag"] != etag)
        #expect(try Gzip.decompress(gzip.body) == Array(body.utf8))
        #expect(
            f.send("GET", "/state/s", headers: [("Accept-Encoding", "gzip;q=0, identity")]).headers["Content-Encoding"]
                == nil)
        #expect(
            f.send("GET", "/state/s", headers: [("Accept-Encoding", "br, *")]).headers["Content-Encoding"] == "gzip")
    }

    @Test func writesCheckContentMD5AndTheBody() {
        let f = APIFixture()
        let body = stateJSON(1)
        #expect(
            f.send("POST", "/state/s", body: body, headers: [("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")]).status
                == .badRequest)
        #expect(f.send("POST", "/state/s", body: body, headers: [("Content-MD5", "not base64!")]).status == .badRequest)
        #expect(
            f.send(
                "PUT", "/state/s", body: body,
                headers: [("Content-MD5", Base64.encode(StateBlob.md5(Array(body.utf8))))]
            ).status == .ok)
        #expect(f.send("POST", "/state/s", body: "[]").status == .badRequest)
        #expect(f.send("POST", "/state/s", body: "").status == .badRequest)
    }

    @Test func fencingAnswersWithTheHolderOrAMessage() {
        let f = APIFixture()
        #expect(f.send("LOCK", "/state/s", body: lockJSON("A")).status == .ok)
        let noID = f.send("POST", "/state/s", body: stateJSON(1))
        #expect(noID.status == .conflict)
        #expect(noID.text == lockJSON("A"))
        #expect(f.send("POST", "/state/s?ID=B", body: stateJSON(1)).text == lockJSON("A"))
        #expect(f.send("POST", "/state/s?ID=A", body: stateJSON(1)).status == .ok)
        #expect(f.send("UNLOCK", "/state/s", body: "").status == .ok)
        let gone = f.send("POST", "/state/s?ID=A", body: stateJSON(2))
        #expect(gone.status == .conflict)
        #expect(gone.text.contains("not held"))
    }

    @Test func unlockWithEmptyBodyForces() {
        let f = APIFixture()
        #expect(f.send("UNLOCK", "/state/s", body: "").text == #"{"status":"not locked"}"#)
        _ = f.send("LOCK", "/state/s", body: lockJSON("A"))
        #expect(f.send("UNLOCK", "/state/s", body: lockJSON("B")).status == .conflict)
        #expect(f.send("UNLOCK", "/state/s", body: "").text == #"{"status":"force-unlocked"}"#)
    }

    @Test func deleteIsSoftAdminOnlyAndRefusedWhileLocked() {
        let f = APIFixture()
        _ = f.send("POST", "/state/s", body: stateJSON(1))
        _ = f.send("LOCK", "/state/s", body: lockJSON("A"))
        #expect(f.send("DELETE", "/state/s").status == .conflict)
        _ = f.send("UNLOCK", "/state/s", body: lockJSON("A"))
        #expect(f.send("DELETE", "/state/s").status == .ok)
        #expect(f.send("GET", "/state/s").status == .notFound)
        #expect(f.send("DELETE", "/state/s").status == .notFound)
    }

    @Test func anUnavailableStoreIs503WithRetryAfterAndAFaultIs500WithoutDetails() {
        let libpq = #"connection to server at "db.internal" (10.0.0.7), port 5432 failed: role "statehouse" …"#
        let down = APIFixture(store: FailingStore(error: StoreError(.unavailable, libpq)))
        for path in ["/state/s", "/api/v1/states/s", "/api/v1/states"] {
            let unavailable = down.send("GET", path)
            #expect(unavailable.status == .serviceUnavailable)
            #expect(unavailable.headers["Retry-After"] == "2")
            // The store's words stay in the log; the client gets a sentence and the request id.
            #expect(!unavailable.text.contains("db.internal") && !unavailable.text.contains("statehouse\""))
            #expect(unavailable.text.contains("try again") && unavailable.text.contains("test-request"))
        }
        let full = APIFixture(store: FailingStore(error: StoreError(.diskFull, "/data/statehouse.db: disk full")))
        let refused = full.send("LOCK", "/state/s", body: lockJSON("A"))
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers["Retry-After"] == "2")
        #expect(refused.text.contains("disk is full") && refused.text.contains("test-request"))
        #expect(!refused.text.contains("/data"))
        let broken = APIFixture(store: FailingStore(error: StoreError(.fault, "relation \"states\" does not exist")))
        let fault = broken.send("GET", "/state/s")
        #expect(fault.status == .internalServerError)
        #expect(!fault.text.contains("relation"))
        #expect(fault.text.contains("test-request"))
    }
}

/// A store whose every transaction fails with `error`.
struct FailingStore: UnitOfWork {
    let error: StoreError
    func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T { throw self.error }
    func ping() throws(StoreError) { throw self.error }
}

/// A verifier that never gets a slot.
struct BusyVerifier: CredentialVerifier {
    func verify(username: String, password: String) -> CredentialCheck { .busy }
    func remembered(username: String, password: String) -> Principal? { nil }
    func verify(certificateCommonName: String) -> Principal? { nil }
    func principal(named name: String) -> Principal? { nil }
}
