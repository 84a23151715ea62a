import Foundation
import HTTPTestSupport
import PasswordAuth
import SystemSupport
import Testing

/// `statehouse export` and `import` as an operator runs them: on a copy of a database with no
/// server, between SQLite and PostgreSQL, and back into Terraform.
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct BackupEndToEndTests {
    func statehouse(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, output: String
    ) {
        // An empty directory, so no config.toml is found: the store comes from the environment.
        try TestEnvironment.run(
            [ServerProcess.binaryPath] + arguments, in: try TestEnvironment.temporaryDirectory(),
            environment: environment)
    }

    func sqlite(_ path: String) -> [String: String] {
        ["STATEHOUSE_STORAGE_DRIVER": "sqlite", "STATEHOUSE_STORAGE_PATH": path]
    }

    func postgres(_ url: String) -> [String: String] {
        ["STATEHOUSE_STORAGE_DRIVER": "postgres", "STATEHOUSE_STORAGE_URL": url]
    }

    @Test func aCopyOfAnSQLiteFileIsExportedWithNoServerAndRestoredOnPostgreSQL() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        var written: [String] = []
        do {
            let server = try StatehouseUnderTest(store: .sqlite, databaseURL: directory + "/states.db")
            let client = try server.client()
            for serial in 1...3 {
                let body = "{\"version\":4,\"serial\":\(serial),\"lineage\":\"kept\",\"outputs\":{}}\n"
                #expect(try client.request("POST", "/state/team/app", body: body).status == 200)
                written.append(body)
            }
            #expect(try client.request("POST", "/state/other", body: written[0]).status == 200)
            #expect(try client.request("LOCK", "/state/team/app", body: lockJSON("kept")).status == 200)
        }  // the server stops here
        // Only a copy of the files is left, as after restoring a file backup: the database and
        // its write-ahead log, which holds the latest commits until a checkpoint.
        let copy = try TestEnvironment.temporaryDirectory() + "/copy.db"
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: directory + "/states.db" + suffix) {
            try FileManager.default.copyItem(atPath: directory + "/states.db" + suffix, toPath: copy + suffix)
        }
        try FileManager.default.removeItem(atPath: directory)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))

        let backup = try TestEnvironment.temporaryDirectory() + "/backup"
        let export = try self.statehouse(["export", backup], environment: self.sqlite(copy))
        #expect(export.status == 0, "\(export.output)")
        #expect(export.output.contains("exported 2 states, 4 versions, 0.0 MB"), "\(export.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before, "the copy was only read")
        #expect(
            try String(contentsOfFile: backup + "/states/team/app/@live/3.tfstate", encoding: .utf8) == written[2])

        let url = try TestEnvironment.createDatabase()
        let restored = try self.statehouse(["import", backup], environment: self.postgres(url))
        #expect(restored.status == 0, "\(restored.output)")
        #expect(restored.output.contains("imported 2 states, 4 versions"), "\(restored.output)")
        let again = try self.statehouse(["import", backup], environment: self.postgres(url))
        #expect(again.status != 0)
        #expect(again.output.contains("import restores into an empty store"), "\(again.output)")
        let merged = try self.statehouse(["import", "--merge", backup], environment: self.postgres(url))
        #expect(merged.status == 0, "\(merged.output)")
        #expect(merged.output.contains("added 0 states, 0 versions"), "\(merged.output)")
        #expect(merged.output.contains("already there: 2 states, 4 versions"), "\(merged.output)")

        // A server on the restored database serves the latest version and still holds the lock.
        let server = try StatehouseUnderTest(store: .postgres, databaseURL: url)
        let client = try server.client()
        #expect(try client.request("GET", "/state/team/app").text == written[2])
        #expect(try client.request("LOCK", "/state/team/app", body: lockJSON("other")).status == 409)

        // A directory without its manifest is refused, and names why.
        try FileManager.default.removeItem(atPath: backup + "/manifest.json")
        let partial = try self.statehouse(
            ["import", backup], environment: self.postgres(try TestEnvironment.createDatabase()))
        #expect(partial.status != 0)
        #expect(partial.output.contains("its export did not finish"), "\(partial.output)")
    }

    /// An encrypted store, exported with its key, gives files that real Terraform pushes into a
    /// fresh backend; without the key the export names what it cannot open.
    @Test func anEncryptedStoreExportsStateThatTerraformPushes() throws {
        let key = "k1:" + Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        let path = try TestEnvironment.temporaryDirectory() + "/states.db"
        let terraform = TerraformTests()
        do {
            let server = try StatehouseUnderTest(
                store: .sqlite, databaseURL: path, configuration: "[encryption]\nkeys = [\"\(key)\"]")
            let app = try TestEnvironment.temporaryDirectory()
            try self.configuration(port: server.port, name: "enc/app").write(
                toFile: app + "/main.tf", atomically: true, encoding: .utf8)
            terraform.expectSuccess(try terraform.terraform(["init", "-input=false"], in: app))
            terraform.expectSuccess(try terraform.terraform(["apply", "-auto-approve", "-input=false"], in: app))
        }
        let withKey = try TestEnvironment.writeConfig(
            "[storage]\ndriver = \"sqlite\"\npath = \"\(path)\"\n[encryption]\nkeys = [\"\(key)\"]")
        let withoutKey = try TestEnvironment.writeConfig("[storage]\ndriver = \"sqlite\"\npath = \"\(path)\"")

        let refused = try self.statehouse(
            ["export", try TestEnvironment.temporaryDirectory() + "/backup", "--config", withoutKey])
        #expect(refused.status != 0)
        #expect(refused.output.contains("version 1 of enc/app is encrypted with key k1"), "\(refused.output)")
        #expect(!refused.output.contains(String(key.dropFirst(3))), "no key material in errors")

        let backup = try TestEnvironment.temporaryDirectory() + "/backup"
        let export = try self.statehouse(["export", backup, "--config", withKey])
        #expect(export.status == 0, "\(export.output)")
        let folder = backup + "/states/enc/app/@live"
        let latest = try #require(
            try FileManager.default.contentsOfDirectory(atPath: folder).compactMap {
                Int($0.replacingOccurrences(of: ".tfstate", with: ""))
            }.max())
        let exported = try String(contentsOfFile: "\(folder)/\(latest).tfstate", encoding: .utf8)
        #expect(exported.contains("\"terraform_data\""))

        // Into a fresh backend: push, then the plan shows no changes.
        let fresh = try StatehouseUnderTest(store: .sqlite)
        let app = try TestEnvironment.temporaryDirectory()
        try self.configuration(port: fresh.port, name: "restored/app").write(
            toFile: app + "/main.tf", atomically: true, encoding: .utf8)
        try exported.write(toFile: app + "/exported.tfstate", atomically: true, encoding: .utf8)
        terraform.expectSuccess(try terraform.terraform(["init", "-input=false"], in: app))
        terraform.expectSuccess(try terraform.terraform(["state", "push", "exported.tfstate"], in: app))
        let plan = try terraform.terraform(["plan", "-input=false", "-detailed-exitcode"], in: app)
        #expect(plan.status == 0, "the pushed state matches the configuration: \(plan.output)")
        let pulled = try fresh.client().request("GET", "/state/restored/app")
        #expect(pulled.status == 200 && pulled.text.contains("\"terraform_data\""))
    }

    func configuration(port: Int, name: String) -> String {
        """
        terraform {
          backend "http" {
            \(TerraformTests.Style.defaultMethods.backend(port: port, name: name))
            username = "ci"
            password = "pw"
          }
        }
        resource "terraform_data" "example" {
          input = "kept"
        }
        """
    }
}
