import Foundation
import Testing

@testable import StatehouseCLI

/// `statehouse token create|list|revoke` against a fake API.
@Suite struct TokenCommandTests {
    private let credentials = ["STATEHOUSE_API_USER": "alice", "STATEHOUSE_API_PASSWORD": "pw"]
    private static let token = """
        {"id": "tok_4f2Kx9QmZr1b", "name": "ci-infra", "owner": "alice", "grants": {"team/app": "write", "ops": "read"},
         "created_at": "2026-11-22T10:11:12.123456Z", "expires_at": "2026-12-22T10:11:12.123456Z",
         "last_used_at": null, "revoked_at": null}
        """
    private static let secret = "sht_" + String(repeating: "A", count: 49)
    private static let accessKeyID = "SHAK" + String(repeating: "Q", count: 16)
    private static let secretAccessKey = String(repeating: "s", count: 40)
    private static let s3Token = Self.token.replacingOccurrences(
        of: #""revoked_at": null"#, with: #""revoked_at": null, "access_key_id": "\#(Self.accessKeyID)""#)

    @Test func createWithS3SendsItAndPrintsTheAWSVariables() throws {
        let api = try FakeAPI(
            status: 201,
            json: #"""
                {"token": null, "id": "tok_4f2Kx9QmZr1b", "details": \#(Self.s3Token),
                 "access_key_id": "\#(Self.accessKeyID)", "secret_access_key": "\#(Self.secretAccessKey)"}
                """#)
        let outcome = try run(
            TokenCommand.Create.self, ["ci-s3", "--s3", "--grant", "team/=write", "--server", api.url],
            environment: self.credentials)
        #expect(outcome.status == 0 && outcome.error.isEmpty)
        #expect(
            outcome.output == "AWS_ACCESS_KEY_ID=\(Self.accessKeyID)\nAWS_SECRET_ACCESS_KEY=\(Self.secretAccessKey)\n")
        let request = try #require(api.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        #expect(body["s3"] as? Bool == true && body["grants"] as? [String: String] == ["team/": "write"])
    }

    @Test func createSendsTheGrantsAndPrintsTheSecretAlone() throws {
        let api = try FakeAPI(
            status: 201, json: #"{"token": "\#(Self.secret)", "id": "tok_4f2Kx9QmZr1b", "details": \#(Self.token)}"#)
        let outcome = try run(
            TokenCommand.Create.self,
            ["ci-infra", "--grant", "team/app=write", "--grant", "ops=read", "--expires", "30d", "--server", api.url],
            environment: self.credentials)
        #expect(outcome.status == 0)
        #expect(outcome.output == Self.secret + "\n")
        #expect(outcome.error.isEmpty)
        let request = try #require(api.requests.first)
        #expect(request.method == "POST" && request.rawPath == "/api/v1/tokens")
        #expect(request.headers["Content-Type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        #expect(body["name"] as? String == "ci-infra" && body["expires_in"] as? String == "30d")
        #expect(body["grants"] as? [String: String] == ["team/app": "write", "ops": "read"])
        #expect(body["s3"] == nil, "a bearer token's request is as before")
    }

    @Test func createNeedsWellFormedGrants() throws {
        #expect(throws: (any Error).self) { _ = try TokenCommand.Create.parse(["x"]) }
        #expect(throws: (any Error).self) { _ = try TokenCommand.Create.parse(["x", "--grant", "team"]) }
        #expect(throws: (any Error).self) { _ = try TokenCommand.Create.parse(["x", "--grant", "=read"]) }
        #expect(throws: (any Error).self) {
            _ = try TokenCommand.Create.parse(["x", "--grant", "a=read", "--grant", "a=write"])
        }
        #expect(try TokenCommand.Create.parse(["x", "--grant", "*=read"]).grantTable() == ["*": "read"])
    }

    @Test func aRefusedCreationPrintsTheServersSentenceOnStandardError() throws {
        let api = try FakeAPI(status: 403, json: #"{"error": "alice may not give a token admin on team"}"#)
        let outcome = try run(
            TokenCommand.Create.self, ["x", "--grant", "team=admin", "--server", api.url], environment: self.credentials
        )
        #expect(outcome.status == 1 && outcome.output.isEmpty)
        #expect(outcome.error == "statehouse: alice may not give a token admin on team (HTTP 403)\n")
    }

    @Test func listPrintsATableWithoutSecrets() throws {
        let api = try FakeAPI(json: #"{"tokens": [\#(Self.token)]}"#)
        let outcome = try run(TokenCommand.List.self, ["--server", api.url], environment: self.credentials)
        #expect(outcome.status == 0)
        #expect(api.requests.map { "\($0.method) \($0.rawPath)" } == ["GET /api/v1/tokens"])
        let lines = outcome.output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID") == true && lines.first?.hasSuffix("LAST USED  S3 ACCESS KEY") == true)
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix("tok_4f2Kx9QmZr1b  ci-infra  alice  ops=read,team/app=write  "))
        #expect(lines[1].hasSuffix("never      -"))

        let s3 = try FakeAPI(json: #"{"tokens": [\#(Self.s3Token)]}"#)
        let keys = try run(TokenCommand.List.self, ["--server", s3.url], environment: self.credentials)
        #expect(keys.output.split(separator: "\n").last?.hasSuffix("never      \(Self.accessKeyID)") == true)

        let empty = try FakeAPI(json: #"{"tokens": []}"#)
        #expect(try run(TokenCommand.List.self, ["--server", empty.url]).output == "No tokens.\n")
    }

    @Test func revokeSendsDeleteAndConfirms() throws {
        let revoked = Self.token.replacingOccurrences(
            of: #""revoked_at": null"#, with: #""revoked_at": "2026-11-23T00:00:00.000000Z""#)
        let api = try FakeAPI(json: revoked)
        let outcome = try run(
            TokenCommand.Revoke.self, ["tok_4f2Kx9QmZr1b", "--server", api.url], environment: self.credentials)
        #expect(outcome.status == 0)
        #expect(api.requests.map { "\($0.method) \($0.rawPath)" } == ["DELETE /api/v1/tokens/tok_4f2Kx9QmZr1b"])
        #expect(outcome.output == "Revoked tok_4f2Kx9QmZr1b (ci-infra of alice).\n")
    }
}
