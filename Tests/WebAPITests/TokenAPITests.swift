import Application
import Foundation
import HTTPServer
import SystemSupport
import Testing

@testable import WebAPI

/// `/api/v1/tokens`, and tokens used as Basic passwords and Bearer tokens.
@Suite struct TokenAPITests {
    let f = APIFixture()

    /// Creates a token as `user`; returns its secret and id.
    func create(_ body: String, as user: String = "ci") throws -> (secret: String, id: String) {
        let response = self.f.send("POST", "/api/v1/tokens", user: user, body: body)
        #expect(response.headers["Cache-Control"] == "no-store", "the secret is in it")
        #expect(response.status == .created, "\(response.text)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return (try #require(document["token"] as? String), try #require(document["id"] as? String))
    }

    func bearer(_ secret: String) -> [(String, String)] { [("Authorization", "Bearer \(secret)")] }

    @Test func aTokenWorksAsABasicPasswordWithAnyUserAndAsABearerToken() throws {
        let token = try self.create(#"{"name":"deploy","grants":{"team/app":"write"},"expires_in":"1d"}"#)
        #expect(token.secret.hasPrefix("sht_") && token.id.hasPrefix("tok_"))
        let written = self.f.send(
            "POST", "/state/team/app", user: "anything", password: token.secret, body: stateJSON(1))
        #expect(written.status == .ok, "\(written.text)")
        let read = self.f.send("GET", "/state/team/app", user: nil, headers: self.bearer(token.secret))
        #expect(read.status == .ok && read.text == stateJSON(1))
        #expect(read.logMetadata["user"] == .string("token:ci/deploy"))
        // Outside its grants, though within its owner's.
        let outside = self.f.send("POST", "/state/team/other", user: nil, headers: self.bearer(token.secret))
        #expect(outside.status == .forbidden)
        #expect(outside.text.contains("token:ci/deploy lacks write access to team/other"))
        // The version records who wrote it.
        let versions = self.f.send("GET", "/api/v1/states/team/app/versions")
        #expect(versions.text.contains(#""created_by":"token:ci/deploy""#))
    }

    @Test func listingShowsNoSecretAndRevokingIsImmediate() throws {
        let token = try self.create(#"{"name":"deploy","grants":{"team":"read"}}"#)
        let listed = self.f.send("GET", "/api/v1/tokens", user: "ci")
        #expect(listed.status == .ok)
        #expect(listed.text.contains(#""id":"\#(token.id)""#) && listed.text.contains(#""owner":"ci""#))
        #expect(listed.text.contains(#""grants":{"team":"read"}"#))
        #expect(!listed.text.contains(token.secret))
        #expect(!listed.text.contains(Hex.encode(TokenSecret.hash(token.secret))))
        #expect(self.f.send("GET", "/api/v1/tokens", user: "viewer").text == #"{"tokens":[]}"#)

        #expect(
            self.f.send("GET", "/state/team/app", user: nil, headers: self.bearer(token.secret)).status == .notFound)
        #expect(self.f.send("DELETE", "/api/v1/tokens/\(token.id)", user: "viewer").status == .notFound)
        let revoked = self.f.send("DELETE", "/api/v1/tokens/\(token.id)", user: "ci")
        #expect(revoked.status == .ok && revoked.text.contains(#""revoked_at":"2026-"#))
        let after = self.f.send("GET", "/state/team/app", user: nil, headers: self.bearer(token.secret))
        #expect(after.status == .unauthorized)
        #expect(after.headers["WWW-Authenticate"] != nil)

        let audit = self.f.send("GET", "/api/v1/audit", user: "ci")
        let page = try #require(try JSONSerialization.jsonObject(with: Data(audit.body)) as? [String: Any])
        let events = try #require(page["events"] as? [[String: Any]])
        #expect(events.map { $0["action"] as? String } == ["create-token", "revoke-token"])
        #expect(events.allSatisfy { $0["state"] is NSNull && $0["user"] as? String == "ci" })
    }

    @Test func anS3KeyIsShownOnceListedByAccessKeyIDAndIsNoBearerToken() throws {
        let response = self.f.send(
            "POST", "/api/v1/tokens", user: "ci", body: #"{"name":"s3","grants":{"team/":"write"},"s3":true}"#)
        #expect(response.status == .created, "\(response.text)")
        #expect(response.headers["Cache-Control"] == "no-store")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(document["token"] is NSNull)
        let accessKeyID = try #require(document["access_key_id"] as? String)
        let secret = try #require(document["secret_access_key"] as? String)
        let id = try #require(document["id"] as? String)
        #expect(S3Secret.isAccessKeyID(accessKeyID) && secret.utf8.count == 40)
        let details = try #require(document["details"] as? [String: Any])
        #expect(details["access_key_id"] as? String == accessKeyID)

        let listed = self.f.send("GET", "/api/v1/tokens", user: "ci")
        #expect(listed.text.contains(#""access_key_id":"\#(accessKeyID)""#))
        #expect(!listed.text.contains(secret))
        // The secret access key signs S3 requests; it is no bearer token or password.
        #expect(
            self.f.send("GET", "/state/team/app", user: nil, headers: self.bearer(secret)).status == .unauthorized)
        #expect(self.f.send("GET", "/state/team/app", user: "ci", password: secret).status == .unauthorized)
        #expect(self.f.send("DELETE", "/api/v1/tokens/\(id)", user: "ci").status == .ok)

        let audit = self.f.send("GET", "/api/v1/audit", user: "ci")
        #expect(audit.text.contains("token:ci/s3 S3 key \(accessKeyID) grants team/=write"))
        let bad = self.f.send(
            "POST", "/api/v1/tokens", user: "ci", body: #"{"name":"x","grants":{"team":"read"},"s3":"yes"}"#)
        #expect(bad.status == .badRequest)
        // A bearer token's answer has no S3 fields.
        let plain = self.f.send("POST", "/api/v1/tokens", user: "ci", body: #"{"name":"b","grants":{"team":"read"}}"#)
        let plainDocument = try #require(try JSONSerialization.jsonObject(with: Data(plain.body)) as? [String: Any])
        #expect(plainDocument["access_key_id"] is NSNull && plainDocument["secret_access_key"] is NSNull)
    }

    @Test func creationIsRefusedWithASentence() throws {
        _ = try self.create(#"{"name":"deploy","grants":{"team":"read"}}"#)
        let cases: [(String, String, Int, String)] = [
            ("ci", #"{"name":"deploy","grants":{"team":"read"}}"#, 409, "already has a token named deploy"),
            ("ci", #"{"name":"wide","grants":{"*":"read"}}"#, 403, "ci may not give a token read on *"),
            ("ci", #"{"name":"up","grants":{"team":"admin"}}"#, 403, "may not give a token admin on team"),
            ("ci", #"{"name":"x","grants":{"team":"owner"}}"#, 400, "the level must be read, write or admin"),
            ("ci", #"{"name":"x","grants":{}}"#, 400, "at least one grant"),
            ("ci", #"{"name":"x","grants":{"team":"read"},"expires_in":"2y"}"#, 400, "expires_in"),
            ("ci", #"{"name":"x","grants":{"team":"read"},"expires_in":"400d"}"#, 400, "at most 365 days"),
            ("ci", #"{"name":"x"}"#, 400, #"the body needs \"grants\""#),
            ("ci", #"{"name":"x","grants":{"team":"read"},"owner":"root"}"#, 400, #"unknown field \"owner\""#),
            ("ci", #"{"name":"a b","grants":{"team":"read"}}"#, 400, "a token name is 1 to 64"),
        ]
        for (user, body, status, sentence) in cases {
            let response = self.f.send("POST", "/api/v1/tokens", user: user, body: body)
            #expect(response.status.code == status, "\(body): \(response.text)")
            #expect(response.text.contains(sentence), "\(body): \(response.text)")
        }
    }

    @Test func aTokenCannotManageTokens() throws {
        let token = try self.create(#"{"name":"all","grants":{"*":"admin"}}"#, as: "root")
        let headers = self.bearer(token.secret) + [("Content-Type", "application/json")]
        let minted = self.f.send(
            "POST", "/api/v1/tokens", user: nil, body: #"{"name":"more","grants":{"*":"read"}}"#, headers: headers)
        #expect(minted.status == .forbidden && minted.text.contains("only users may create tokens"))
        #expect(self.f.send("GET", "/api/v1/tokens", user: nil, headers: headers).status == .forbidden)
        #expect(self.f.send("DELETE", "/api/v1/tokens/\(token.id)", user: nil, headers: headers).status == .forbidden)
    }

    @Test func aMalformedTokenIsRefusedAndNeverTriedAsAPassword() {
        // A secret with a bad checksum, as a Bearer token and as the password of a real user.
        let typo = "sht_" + String(repeating: "a", count: 49)
        #expect(self.f.send("GET", "/state/team/app", user: nil, headers: self.bearer(typo)).status == .unauthorized)
        #expect(self.f.send("GET", "/state/team/app", user: "ci", password: typo).status == .unauthorized)
    }

    @Test func aStoreOutageDuringATokenCheckIs503NotA401() throws {
        let down = APIFixture(store: FailingStore(error: StoreError(.unavailable, "connection refused")))
        let response = down.send("GET", "/state/team/app", user: nil, headers: self.bearer(TokenSecret.generate()))
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers["Retry-After"] == "2")
        #expect(response.text.contains("these credentials cannot be checked now: the store does not answer"))
    }
}
