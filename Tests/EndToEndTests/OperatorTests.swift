import Foundation
import HTTPTestSupport
import Testing

/// An operator repairs a state that real Terraform uses, with curl and with the `statehouse` CLI,
/// and Terraform carries on from the result.
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct OperatorTests {
    func terraform(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        try TestEnvironment.run(
            [ServerProcess.repositoryRoot + "/scripts/terraform"] + arguments + ["-no-color"], in: directory,
            environment: ["TF_IN_AUTOMATION": "1"])
    }

    /// `statehouse <arguments>` with the server and credentials from the environment.
    func cli(_ arguments: [String], port: Int) throws -> (status: Int32, output: String) {
        try TestEnvironment.run(
            [ServerProcess.binaryPath] + arguments,
            environment: [
                "STATEHOUSE_API_URL": "http://127.0.0.1:\(port)", "STATEHOUSE_API_USER": "ci",
                "STATEHOUSE_API_PASSWORD": "pw",
            ])
    }

    /// `curl` against the server as user ci; returns the body and the status code.
    func curl(_ method: String, _ path: String, port: Int, body: String? = nil) throws -> (status: Int, body: String) {
        var arguments = [
            "curl", "--silent", "--show-error", "--user", "ci:pw", "--request", method, "--write-out", "\n%{http_code}",
        ]
        if let body { arguments += ["--header", "Content-Type: application/json", "--data", body] }
        let result = try TestEnvironment.run(arguments + ["http://127.0.0.1:\(port)\(path)"])
        #expect(result.status == 0, "curl failed: \(result.output)")
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test(arguments: EndToEndStore.allCases)
    func anOperatorClearsALockDiffsAndRollsBackWhileTerraformCarriesOn(store: EndToEndStore) throws {
        let server = try StatehouseUnderTest(store: store)
        let port = server.port
        let name = "team/app"
        let app = try TestEnvironment.temporaryDirectory()
        try """
        terraform {
          backend "http" {
            address        = "http://127.0.0.1:\(port)/state/\(name)"
            lock_address   = "http://127.0.0.1:\(port)/state/\(name)"
            unlock_address = "http://127.0.0.1:\(port)/state/\(name)"
            username       = "ci"
            password       = "pw"
          }
        }
        variable "message" {
          type    = string
          default = "one"
        }
        resource "terraform_data" "example" {
          input = var.message
        }
        output "message" {
          value = terraform_data.example.output
        }
        output "secret" {
          value     = "hunter2-${var.message}"
          sensitive = true
        }
        """.write(toFile: app + "/main.tf", atomically: true, encoding: .utf8)
        #expect(try self.terraform(["init", "-input=false"], in: app).status == 0)
        #expect(try self.terraform(["apply", "-auto-approve", "-input=false"], in: app).status == 0)
        let good = try self.json(try self.curl("GET", "/api/v1/states/team/app", port: port).body)
        let goodVersion = try #require(good["version"] as? Int)
        let bad = try self.terraform(["apply", "-auto-approve", "-input=false", "-var", "message=oops"], in: app)
        #expect(bad.status == 0, "\(bad.output)")

        // A run that died holding the lock: found with curl, cleared with the CLI.
        let client = try server.client()
        #expect(try client.request("LOCK", "/state/\(name)", body: lockJSON("dead-run")).status == 200)
        let locks = try self.json(try self.curl("GET", "/api/v1/locks?older_than=0s", port: port).body)
        let held = try #require((locks["locks"] as? [[String: Any]])?.first)
        #expect(held["state"] as? String == name)
        #expect((held["lock"] as? [String: Any])?["id"] as? String == "dead-run")
        let cliLocks = try self.cli(["locks"], port: port)
        #expect(cliLocks.status == 0, "\(cliLocks.output)")
        #expect(cliLocks.output.contains("dead-run"))
        let unlock = try self.cli(["unlock", name, "--id", "dead-run", "--reason", "runner killed"], port: port)
        #expect(unlock.status == 0, "\(unlock.output)")
        #expect(
            (try self.json(try self.curl("GET", "/api/v1/locks", port: port).body)["locks"] as? [Any])?.isEmpty == true)

        // Who wrote which version, and what the bad one changed.
        let versions = try self.cli(["versions", name], port: port)
        #expect(versions.status == 0, "\(versions.output)")
        #expect(versions.output.contains("ci"))
        let diff = try self.cli(["diff", name, "--from", String(goodVersion)], port: port)
        #expect(diff.status == 0, "\(diff.output)")
        #expect(diff.output.contains("terraform_data.example"), "\(diff.output)")
        #expect(diff.output.contains("oops"))
        #expect(!diff.output.contains("hunter2"), "sensitive outputs are redacted")
        let curlDiff = try self.curl("GET", "/api/v1/states/team/app/diff?from=\(goodVersion)", port: port)
        #expect(curlDiff.status == 200)
        #expect(!curlDiff.body.contains("hunter2"))

        // Roll back with the CLI; Terraform sees the old state as current and carries on.
        let rollback = try self.cli(
            ["rollback", name, "--to", String(goodVersion), "--reason", "bad apply"], port: port)
        #expect(rollback.status == 0, "\(rollback.output)")
        let plan = try self.terraform(["plan", "-input=false", "-detailed-exitcode"], in: app)
        #expect(plan.status == 0, "the rolled-back state matches message=one: \(plan.output)")
        let next = try self.terraform(["apply", "-auto-approve", "-input=false", "-var", "message=two"], in: app)
        #expect(next.status == 0, "\(next.output)")
        let output = try TestEnvironment.run(
            [ServerProcess.repositoryRoot + "/scripts/terraform", "output", "-raw", "message"], in: app)
        #expect(output.output.hasSuffix("two"), "\(output.output)")

        // Rolled back again, with curl this time.
        let rolled = try self.curl(
            "POST", "/api/v1/states/team/app/rollback", port: port, body: #"{"version":\#(goodVersion)}"#)
        #expect(rolled.status == 200, "\(rolled.body)")
        #expect(try self.terraform(["plan", "-input=false", "-detailed-exitcode"], in: app).status == 0)

        // The audit log shows all of it, with who and why.
        let audit = try self.json(try self.curl("GET", "/api/v1/audit?state=team/app&limit=1000", port: port).body)
        let actions = try #require((audit["events"] as? [[String: Any]])?.compactMap { $0["action"] as? String })
        for action in ["lock", "write", "unlock", "force-unlock", "rollback"] {
            #expect(actions.contains(action), "\(action) in \(actions)")
        }
        let events = try #require(audit["events"] as? [[String: Any]])
        let forced = try #require(events.first { $0["action"] as? String == "force-unlock" })
        #expect(forced["reason"] as? String == "runner killed")
        #expect(forced["address"] as? String != nil)
        let cliAudit = try self.cli(["audit", "--state", name], port: port)
        #expect(cliAudit.status == 0, "\(cliAudit.output)")
        #expect(cliAudit.output.contains("force-unlock"))
        #expect(cliAudit.output.contains("rollback"))
        let jsonAudit = try self.cli(["audit", "--state", name, "--json"], port: port)
        #expect((try self.json(jsonAudit.output)["events"] as? [Any])?.count == events.count)
    }

    @Test func theCLIExplainsRefusalsAndUnreachableServers() throws {
        let server = try StatehouseUnderTest(store: .sqlite)
        let missing = try self.cli(["states", "show", "no/such"], port: server.port)
        #expect(missing.status != 0)
        #expect(missing.output.contains("no state named no/such"), "\(missing.output)")
        let refused = try TestEnvironment.run(
            [ServerProcess.binaryPath, "states", "list"],
            environment: [
                "STATEHOUSE_API_URL": "http://127.0.0.1:1", "STATEHOUSE_API_USER": "ci",
                "STATEHOUSE_API_PASSWORD": "pw",
            ])
        #expect(refused.status != 0)
        #expect(refused.output.contains("127.0.0.1:1"), "\(refused.output)")
    }
}
