import Foundation
import HTTPTestSupport
import Testing

/// The configurations in examples/, run as shipped against a real server; only the addresses
/// are pointed at the test server, with -backend-config and -var as a user would.
@Suite struct ExamplesTests {
    func run(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        try TestEnvironment.run(
            [ServerProcess.repositoryRoot + "/scripts/terraform"] + arguments, in: directory,
            environment: ["TF_HTTP_USERNAME": "admin", "TF_HTTP_PASSWORD": "statehouse"])
    }

    /// A copy of examples/`name` in a new temporary directory.
    func copy(_ name: String) throws -> String {
        let directory = try TestEnvironment.temporaryDirectory()
        try FileManager.default.copyItem(
            atPath: ServerProcess.repositoryRoot + "/examples/\(name)/main.tf", toPath: directory + "/main.tf")
        return directory
    }

    @Test func theExamplesWorkAsShippedAgainstTheShippedConfig() throws {
        // The README's run command: the shipped config.toml as it is (SQLite under data/ in the
        // working directory), no database running; only the port is chosen freely.
        let directory = try TestEnvironment.temporaryDirectory()
        let server = try ServerProcess(
            arguments: ["serve", "--config", ServerProcess.repositoryRoot + "/config.toml"],
            environment: ["STATEHOUSE_SERVER_PORT": "0", "STATEHOUSE_SERVER_HOST": "127.0.0.1"], directory: directory)
        let port = try #require(server.waitForPort(timeout: 60), "\(server.standardOutput)\(server.standardError)")
        defer {
            server.send(SIGTERM)
            _ = server.waitForExit()
        }
        #expect(
            server.waitForLine(containing: "statehouse listening")?.contains("store=\"sqlite data/statehouse.db\"")
                == true)
        let base = "http://127.0.0.1:\(port)"

        let app = try self.copy("http-backend")
        var result = try self.run(
            [
                "init", "-input=false", "-no-color", "-backend-config=address=\(base)/state/example/app",
                "-backend-config=lock_address=\(base)/state/example/app",
                "-backend-config=unlock_address=\(base)/state/example/app",
            ],
            in: app)
        #expect(result.status == 0, "\(result.output)")
        result = try self.run(["apply", "-auto-approve", "-input=false", "-no-color"], in: app)
        #expect(result.status == 0, "\(result.output)")

        let network = try self.copy("gitlab-style")
        result = try self.run(
            [
                "init", "-input=false", "-no-color", "-backend-config=address=\(base)/state/example/network",
                "-backend-config=lock_address=\(base)/lock/example/network",
                "-backend-config=unlock_address=\(base)/lock/example/network",
            ],
            in: network)
        #expect(result.status == 0, "\(result.output)")
        result = try self.run(["apply", "-auto-approve", "-input=false", "-no-color"], in: network)
        #expect(result.status == 0, "\(result.output)")
        #expect(
            server.waitForLine(containing: "method=DELETE path=/lock/example/network")?.contains("status=200")
                == true)

        let reader = try self.copy("remote-state")
        result = try self.run(["init", "-input=false", "-no-color"], in: reader)
        #expect(result.status == 0, "\(result.output)")
        result = try self.run(
            ["apply", "-auto-approve", "-input=false", "-no-color", "-var", "app_state=\(base)/state/example/app"],
            in: reader)
        #expect(result.status == 0, "\(result.output)")
        result = try self.run(["output", "-raw", "app_release"], in: reader)
        #expect(result.output.hasSuffix("v1"), "\(result.output)")
    }
}
