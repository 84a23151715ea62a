import Foundation
import HTTPTestSupport
import PasswordAuth
import SystemSupport
import Testing

/// `statehouse serve` with an OIDC issuer: CI jobs log in with nothing but an ID token from the
/// test issuer (over HTTPS on loopback), as a Bearer token, as the Basic password, and as
/// Terraform's TF_HTTP_PASSWORD.
@Suite struct ServeWithOIDCTests {
    static let rsaKey = Result { try TestKey.rsa("ci-1") }

    /// A server on the in-memory store with the user ci/pw and `issuer`, whose jobs on acme/infra
    /// may write acme/dev.
    func serve(issuer: String, extra: String = "") throws -> (server: ServerProcess, port: Int) {
        let certificates = try IssuerServer.certificates.get()
        let config = try TestEnvironment.writeConfig(
            """
            [server]
            host = "127.0.0.1"
            port = 0
            [storage]
            driver = "memory"
            [[users]]
            name = "ci"
            password_hash = "\(PasswordHash.make(password: "pw", iterations: 1000))"
            grants = { "*" = "admin" }
            [[oidc_issuers]]
            issuer = "\(issuer)"
            audience = "statehouse"
            ca_file = "\(certificates.caCertificate)"
            rules = [{ claims = { repository = "acme/*" }, grants = { "acme/dev" = "write" } }]
            \(extra)
            """)
        let server = try ServerProcess(arguments: ["serve", "--config", config])
        let port = try #require(server.waitForPort(timeout: 60), "\(server.standardOutput)\(server.standardError)")
        return (server, port)
    }

    func claims(_ issuer: String, repository: String = "acme/infra", ref: String = "refs/heads/main") -> [String: Any] {
        let now = Int(Date().timeIntervalSince1970)
        return [
            "iss": issuer, "aud": "statehouse", "sub": "repo:\(repository):ref:\(ref)", "repository": repository,
            "ref": ref, "exp": now + 600, "iat": now,
        ]
    }

    func write(_ port: Int, _ name: String, authorization: String) throws -> TestClient.Reply {
        let body = #"{"version":4,"serial":1,"lineage":"l","outputs":{},"resources":[]}"#
        return try TestClient(port: port).exchange(
            "POST /state/\(name) HTTP/1.1\r\nHost: h\r\nAuthorization: \(authorization)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }

    @Test func anIDTokenWritesWhatItsRulesGrantAsBearerOrBasicPassword() throws {
        let key = try Self.rsaKey.get()
        let issuer = try IssuerServer(keys: [key])
        let (server, port) = try self.serve(issuer: issuer.url)
        let token = try TokenMaker.token(key, claims: self.claims(issuer.url))
        #expect(try self.write(port, "acme/dev/app", authorization: "Bearer \(token)").status == 200)
        let basic = "Basic " + Base64.encode(Array("anything:\(token)".utf8))
        #expect(try self.write(port, "acme/dev/web", authorization: basic).status == 200)
        let elsewhere = try self.write(port, "acme/prod/app", authorization: "Bearer \(token)")
        #expect(elsewhere.status == 403, "\(elsewhere.text)")
        let other = try TokenMaker.token(key, claims: self.claims(issuer.url, repository: "evil/infra"))
        #expect(try self.write(port, "acme/dev/app", authorization: "Bearer \(other)").status == 403)
        let forged = try TokenMaker.unsigned(kid: key.kid, claims: self.claims(issuer.url))
        #expect(try self.write(port, "acme/dev/app", authorization: "Bearer \(forged)").status == 401)
        #expect(issuer.keyFetches == 1, "the keys are fetched once")
        let audit = try #require(server.waitForLine(containing: "path=/state/acme/dev/app"))
        #expect(audit.contains("user=oidc:127.0.0.1:repo:acme/infra:ref:refs/heads/main"), "\(audit)")
        #expect(!server.standardOutput.contains(token), "the token is never logged")
    }

    @Test func aProtectedPrefixAdmitsOnlyTheMainBranchsJobs() throws {
        let key = try Self.rsaKey.get()
        let issuer = try IssuerServer(keys: [key])
        let (server, port) = try self.serve(
            issuer: issuer.url,
            extra: """
                [[protected_prefixes]]
                prefix = "acme/dev/live"
                allow = [{ issuer = "\(issuer.url)", claims = { ref = "refs/heads/main" } }]
                """)
        let main = try TokenMaker.token(key, claims: self.claims(issuer.url))
        #expect(try self.write(port, "acme/dev/live", authorization: "Bearer \(main)").status == 200)
        let feature = try TokenMaker.token(key, claims: self.claims(issuer.url, ref: "refs/heads/feature"))
        #expect(try self.write(port, "acme/dev/other", authorization: "Bearer \(feature)").status == 200)
        let refused = try self.write(port, "acme/dev/live", authorization: "Bearer \(feature)")
        #expect(refused.status == 403)
        #expect(refused.text.contains(#"protected prefix \"acme/dev/live\" (only OIDC tokens of"#), "\(refused.text)")
        withExtendedLifetime(server) {}
    }

    @Test func anUnreachableIssuerLeavesPasswordUsersServedAndTokensAnswered503() throws {
        let key = try Self.rsaKey.get()
        let port = try { try IssuerServer(keys: [key]).port }()
        let issuer = "https://127.0.0.1:\(port)"
        let (server, serverPort) = try self.serve(issuer: issuer)
        #expect(server.waitForLine(containing: "cannot get the OIDC issuer's keys") != nil)
        let basic = "Basic " + Base64.encode(Array("ci:pw".utf8))
        #expect(try self.write(serverPort, "team/app", authorization: basic).status == 200)
        let token = try TokenMaker.token(key, claims: self.claims(issuer))
        let refused = try self.write(serverPort, "acme/dev/app", authorization: "Bearer \(token)")
        #expect(refused.status == 503)
        #expect(refused.headers["Retry-After"] != nil)
        #expect(refused.text.contains("the issuer's keys cannot be fetched now"), "\(refused.text)")
        withExtendedLifetime(server) {}
    }

    @Test func terraformAppliesWithAnIDTokenAsItsPassword() throws {
        let key = try Self.rsaKey.get()
        let issuer = try IssuerServer(keys: [key])
        let (server, port) = try self.serve(issuer: issuer.url)
        let token = try TokenMaker.token(key, claims: self.claims(issuer.url))
        let app = try TestEnvironment.temporaryDirectory()
        let state = "http://127.0.0.1:\(port)/state/acme/dev/network"
        try """
        terraform {
          backend "http" {
            address        = "\(state)"
            lock_address   = "\(state)"
            unlock_address = "\(state)"
          }
        }
        resource "terraform_data" "example" {
          input = "from CI"
        }
        """.write(toFile: app + "/main.tf", atomically: true, encoding: .utf8)
        let environment = ["TF_HTTP_USERNAME": "ci-job", "TF_HTTP_PASSWORD": token, "TF_IN_AUTOMATION": "1"]
        for arguments in [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]] {
            let result = try TestEnvironment.run(
                [ServerProcess.repositoryRoot + "/scripts/terraform"] + arguments + ["-no-color"], in: app,
                environment: environment)
            #expect(result.status == 0, "\(result.output)")
        }
        let reply = try TestClient(port: port).exchange(
            "GET /state/acme/dev/network HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer \(token)\r\n\r\n")
        #expect(reply.status == 200)
        #expect(reply.text.contains("from CI"))
        withExtendedLifetime(server) {}
    }
}
