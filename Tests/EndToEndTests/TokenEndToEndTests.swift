import Foundation
import HTTPTestSupport
import Testing

/// API tokens through real server processes: minted with the CLI, used by Terraform as
/// TF_HTTP_PASSWORD, revoked on one server and refused at once by another.
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct TokenEndToEndTests {
    /// Runs `statehouse token …` against `server` as user ci.
    func cli(_ arguments: [String], _ server: StatehouseUnderTest) throws -> (status: Int32, output: String) {
        try TestEnvironment.run(
            [ServerProcess.binaryPath, "token"] + arguments + ["--server", "http://127.0.0.1:\(server.port)"],
            environment: ["STATEHOUSE_API_USER": "ci", "STATEHOUSE_API_PASSWORD": "pw"])
    }

    /// Creates a token as ci through the API; returns its secret and id.
    func create(_ name: String, on server: StatehouseUnderTest) throws -> (secret: String, id: String) {
        let reply = try server.client().request(
            "POST", "/api/v1/tokens", body: #"{"name":"\#(name)","grants":{"e2e":"write"},"expires_in":"1h"}"#)
        #expect(reply.status == 201, "\(reply.text)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        return (try #require(document["token"] as? String), try #require(document["id"] as? String))
    }

    @Test func twoServersOnOneDatabaseSeeARevocationAtOnce() throws {
        let first = try StatehouseUnderTest()
        let second = try StatehouseUnderTest(databaseURL: first.databaseURL)
        let token = try self.create("shared", on: first)
        let bearer = "Bearer \(token.secret)"
        let onSecond = try second.client()
        let written = try onSecond.request(
            "POST", "/state/e2e/shared", body: #"{"version":4,"serial":1,"lineage":"t"}"#, authorization: bearer)
        #expect(written.status == 200, "\(written.text)")
        #expect(try onSecond.request("GET", "/state/e2e/shared", authorization: bearer).status == 200)

        let revoked = try first.client().request("DELETE", "/api/v1/tokens/\(token.id)")
        #expect(revoked.status == 200, "\(revoked.text)")
        // The very next request on the other server, on the same kept-alive connection.
        #expect(try onSecond.request("GET", "/state/e2e/shared", authorization: bearer).status == 401)
        #expect(try first.client().request("GET", "/state/e2e/shared", authorization: bearer).status == 401)
        let listed = try second.client().request("GET", "/api/v1/tokens")
        #expect(listed.text == #"{"tokens":[]}"#)
    }

    @Test(arguments: EndToEndStore.allCases)
    func terraformAppliesWithATokenAsItsPasswordUntilItIsRevoked(store: EndToEndStore) throws {
        let server = try StatehouseUnderTest(store: store)
        let created = try self.cli(["create", "terraform", "--grant", "e2e/app=write", "--expires", "2h"], server)
        #expect(created.status == 0, "\(created.output)")
        let secret = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("sht_") && secret.count == 53, "the secret alone: \(created.output)")

        let app = try TestEnvironment.temporaryDirectory()
        let state = "http://127.0.0.1:\(server.port)/state/e2e/app"
        try """
        terraform {
          backend "http" {
            address        = "\(state)"
            lock_address   = "\(state)"
            unlock_address = "\(state)"
          }
        }
        resource "terraform_data" "example" {
          input = "tokened"
        }
        """.write(toFile: app + "/main.tf", atomically: true, encoding: .utf8)
        let environment = ["TF_IN_AUTOMATION": "1", "TF_HTTP_USERNAME": "ci-job", "TF_HTTP_PASSWORD": secret]
        func terraform(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try TestEnvironment.run(
                [ServerProcess.repositoryRoot + "/scripts/terraform"] + arguments + ["-no-color"], in: app,
                environment: environment)
        }
        let initialised = try terraform(["init", "-input=false"])
        #expect(initialised.status == 0, "\(initialised.output)")
        let applied = try terraform(["apply", "-auto-approve", "-input=false"])
        #expect(applied.status == 0, "\(applied.output)")
        let versions = try server.client().request("GET", "/api/v1/states/e2e/app/versions")
        #expect(versions.text.contains(#""created_by":"token:ci/terraform""#), "\(versions.text)")

        let listed = try self.cli(["list"], server)
        #expect(listed.status == 0 && listed.output.contains("terraform  ci     e2e/app=write"), "\(listed.output)")
        #expect(!listed.output.contains(secret))
        let id = try #require(listed.output.split(separator: "\n").dropFirst().first?.split(separator: " ").first)
        let revoked = try self.cli(["revoke", String(id)], server)
        #expect(revoked.status == 0 && revoked.output.contains("Revoked \(id)"), "\(revoked.output)")

        let refused = try terraform(["plan", "-input=false", "-lock=false"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("HTTP remote state endpoint requires auth"), "\(refused.output)")
    }
}
