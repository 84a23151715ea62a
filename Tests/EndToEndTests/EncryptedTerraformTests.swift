import Foundation
import HTTPTestSupport
import SystemSupport
import Testing

/// Real Terraform (scripts/terraform, built-in resources only) against a server with one key in
/// `[encryption] keys`: everything Terraform does works as before, nothing it stored is readable
/// in the SQLite file, its log or PostgreSQL's rows, and a server without the key says which
/// version it cannot open.
@Suite struct EncryptedTerraformTests {
    static let keyID = "tf-2026"
    static let key = "\(keyID):" + Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
    static let otherKey = "other:" + Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
    /// The first bytes of everything sealed with `key`.
    static let header: [UInt8] = [0x53, 0x48, 0x45, 0x01, UInt8(keyID.utf8.count)] + Array(keyID.utf8)

    func terraform(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        try TestEnvironment.run(
            [ServerProcess.repositoryRoot + "/scripts/terraform"] + arguments
                + (arguments.first == "output" ? [] : ["-no-color"]),
            in: directory, environment: ["TF_IN_AUTOMATION": "1"])
    }

    func expectSuccess(_ result: (status: Int32, output: String), sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 0, "\(result.output)", sourceLocation: sourceLocation)
    }

    /// A password-like value that occurs nowhere but in the states Terraform writes.
    static func marker() -> String {
        "pw-" + (0..<24).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
    }

    @Test(arguments: RekeyTests.stores)
    func terraformOnAnEncryptedStoreLeavesNothingReadable(store: EndToEndStore) throws {
        let passwords = [Self.marker(), Self.marker()]
        let name = "e2e/encrypted"
        let database: String
        let app = try TestEnvironment.temporaryDirectory()
        let reader = try TestEnvironment.temporaryDirectory()
        var versions: [String] = []
        var current = ""
        do {
            let server = try StatehouseUnderTest(store: store, configuration: RekeyTests.encryption([Self.key]))
            database = server.databaseURL
            try """
            terraform {
              backend "http" {
                address        = "http://127.0.0.1:\(server.port)/state/\(name)"
                lock_address   = "http://127.0.0.1:\(server.port)/state/\(name)"
                unlock_address = "http://127.0.0.1:\(server.port)/state/\(name)"
                username       = "ci"
                password       = "pw"
              }
            }
            variable "db_password" {
              type      = string
              sensitive = true
            }
            resource "terraform_data" "db" {
              input = { host = "db.internal", password = var.db_password }
            }
            output "host" {
              value = terraform_data.db.output.host
            }
            """.write(toFile: app + "/main.tf", atomically: true, encoding: .utf8)
            self.expectSuccess(try self.terraform(["init", "-input=false"], in: app))
            for password in passwords {
                self.expectSuccess(
                    try self.terraform(
                        ["apply", "-auto-approve", "-input=false", "-var", "db_password=\(password)"], in: app))
            }

            // The server serves what Terraform pushed, and Terraform reads it back.
            let client = try server.client()
            let latest = try client.request("GET", "/state/\(name)")
            #expect(latest.status == 200)
            #expect(latest.text.contains(passwords[1]))
            current = latest.text
            let pulled = try self.terraform(["state", "pull"], in: app)
            self.expectSuccess(pulled)
            #expect(try Self.json(pulled.output) == Self.json(current), "\(pulled.output)")
            let count = try #require(Int(latest.headers["X-Statehouse-Version"] ?? ""))
            for number in 1...count {
                let reply = try client.request("GET", "/api/v1/states/\(name)/versions/\(number)")
                #expect(reply.status == 200)
                versions.append(reply.text)
            }
            #expect(versions.contains { $0.contains(passwords[0]) }, "the first apply's version is kept")

            // Another configuration reads the output through terraform_remote_state.
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
              value = data.terraform_remote_state.app.outputs.host
            }
            """.write(toFile: reader + "/main.tf", atomically: true, encoding: .utf8)
            self.expectSuccess(try self.terraform(["init", "-input=false"], in: reader))
            self.expectSuccess(try self.terraform(["apply", "-auto-approve", "-input=false"], in: reader))
            let copied = try self.terraform(["output", "-raw", "copied"], in: reader)
            #expect(copied.output.hasSuffix("db.internal"), "\(copied.output)")
        }

        // Nothing Terraform stored is readable where it is stored.
        let stored: [[UInt8]]
        switch store {
        case .sqlite:
            stored = [RekeyTests.onDisk(database)]
            #expect(ByteScan.contains(stored[0], Self.header))
        case .postgres:
            stored = try Self.rows(database)
            #expect(stored.count == versions.count)
            for row in stored { #expect(row.starts(with: Self.header)) }
        }
        for bytes in stored {
            for password in passwords {
                #expect(!ByteScan.contains(bytes, Array(password.utf8)))
                #expect(!ByteScan.inflatedStreams(in: bytes).contains { ByteScan.contains($0, Array(password.utf8)) })
            }
        }

        // Without the key: a 500, a log line naming the state, version and key, and the metric.
        do {
            let server = try StatehouseUnderTest(
                store: store, databaseURL: database, configuration: RekeyTests.encryption([Self.otherKey]))
            let client = try server.client()
            let refused = try client.request("GET", "/state/\(name)")
            #expect(refused.status == 500)
            #expect(!refused.text.contains(Self.keyID), "the reason is for the log: \(refused.text)")
            let line = server.process.waitForLine(containing: "request failed")
            #expect(
                line?.contains("version \(versions.count) of \(name) is encrypted with key \(Self.keyID)") == true,
                "\(line ?? server.process.standardOutput)")
            let metrics = PrometheusText(try client.request("GET", "/metrics").text)
            #expect(metrics.count(#"statehouse_decryption_failures_total{reason="unknown_key"}"#) >= 1)
        }

        // With the key back, everything reads again.
        let server = try StatehouseUnderTest(
            store: store, databaseURL: database, configuration: RekeyTests.encryption([Self.otherKey, Self.key]))
        let client = try server.client()
        #expect(try client.request("GET", "/state/\(name)").text == current)
        for (index, body) in versions.enumerated() {
            #expect(try client.request("GET", "/api/v1/states/\(name)/versions/\(index + 1)").text == body)
        }
        for directory in [app, reader] {
            try Self.pointBackends(in: directory + "/main.tf", at: server.port)
        }
        self.expectSuccess(try self.terraform(["init", "-input=false", "-reconfigure"], in: app))
        let plan = try self.terraform(
            ["plan", "-input=false", "-detailed-exitcode", "-var", "db_password=\(passwords[1])"], in: app)
        #expect(plan.status == 0, "plan must show no changes: \(plan.output)")
        self.expectSuccess(try self.terraform(["apply", "-auto-approve", "-input=false"], in: reader))
    }

    /// `text` parsed as JSON, for comparing documents however they are formatted.
    static func json(_ text: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    /// Every stored content in PostgreSQL's `state_versions`.
    static func rows(_ url: String) throws -> [[UInt8]] {
        let result = try TestEnvironment.run([
            "psql", url, "-v", "ON_ERROR_STOP=1", "-tAc",
            "SELECT encode(content, 'hex') FROM state_versions WHERE content IS NOT NULL",
        ])
        #expect(result.status == 0, "\(result.output)")
        return try result.output.split(separator: "\n").map { try #require(Hex.decode($0)) }
    }

    /// Rewrites the 127.0.0.1 port in a configuration's URLs (a restarted server has a new port).
    static func pointBackends(in path: String, at port: Int) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let pointed = text.replacing(/127\.0\.0\.1:\d+/, with: "127.0.0.1:\(port)")
        try pointed.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
