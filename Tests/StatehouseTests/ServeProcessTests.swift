import Foundation
import HTTPTestSupport
import Testing

/// `statehouse serve` as operators run it: the real binary, the shipped config file, signals.
@Suite struct ServeProcessTests {
    let config = ServerProcess.repositoryRoot + "/config.toml"
    /// These tests are about the process, not storage: the in-memory store keeps them independent
    /// of a database.
    static let memory = ["STATEHOUSE_STORAGE_DRIVER": "memory"]

    @Test func servesHealthWithTheShippedConfigAndExitsZeroOnSIGTERM() throws {
        // The shipped config as it is: SQLite under data/ in the working directory.
        let directory = try TestEnvironment.temporaryDirectory()
        let server = try ServerProcess(
            arguments: ["serve", "--config", self.config], environment: ["STATEHOUSE_SERVER_PORT": "0"],
            directory: directory)
        let port = try #require(
            server.waitForPort(), "no listening line: \(server.standardOutput) \(server.standardError)")
        let listening = try #require(server.waitForLine(containing: "statehouse listening"))
        #expect(listening.contains("config=\(self.config)"))
        let reply = try TestClient(port: port).exchange("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(reply.status == 200)
        #expect(reply.text == #"{"status":"ok"}"#)
        let id = try #require(reply.headers["X-Request-Id"])
        let access = try #require(server.waitForLine(containing: "request.id=\(id)"))
        #expect(access.contains("method=GET"))
        #expect(access.contains("path=/healthz"))
        #expect(access.contains("status=200"))
        #expect(access.contains("bytes_out=15"))
        #expect(access.contains("duration_ms="))
        #expect(listening.contains("store=\"sqlite data/statehouse.db\""))
        server.send(SIGTERM)
        #expect(server.waitForExit() == 0)
        #expect(server.standardOutput.contains("notice stopped drained=true"))
        #expect(FileManager.default.fileExists(atPath: directory + "/data/statehouse.db"))
    }

    @Test func anUnusableDataDirectoryStopsStartupSayingWhy() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        try "".write(toFile: directory + "/data", atomically: true, encoding: .utf8)  // a file where the directory goes
        let blocked = try ServerProcess(
            arguments: ["serve"], environment: ["STATEHOUSE_STORAGE_PATH": directory + "/data/states.db"])
        #expect(blocked.waitForExit() == 1)
        #expect(
            blocked.standardOutput.contains(
                "cannot create the data directory \(directory)/data: it exists and is not a directory"))
        let memory = try ServerProcess(arguments: ["serve"], environment: ["STATEHOUSE_STORAGE_PATH": ":memory:"])
        #expect(memory.waitForExit() == 1)
        #expect(memory.standardOutput.contains("storage.path must name a file"))
    }

    @Test func processesStartingTogetherOnANewFileAllSucceed() throws {
        for _ in 0..<5 {
            let path = try TestEnvironment.temporaryDirectory() + "/states.db"
            let runs = try (0..<4).map { _ in
                try ServerProcess(arguments: ["migrate"], environment: ["STATEHOUSE_STORAGE_PATH": path])
            }
            for run in runs {
                #expect(run.waitForExit() == 0, "\(run.standardOutput)\(run.standardError)")
            }
        }
    }

    @Test func theDatabaseFileIsForItsOwnerOnly() throws {
        let path = try TestEnvironment.temporaryDirectory() + "/states.db"
        let seed = try ServerProcess(arguments: ["migrate"], environment: ["STATEHOUSE_STORAGE_PATH": path])
        #expect(seed.waitForExit() == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    // Root writes anywhere, so this check can only be made as another user.
    @Test(.enabled(if: geteuid() != 0, "root can write a read-only file"))
    func aReadOnlyDatabaseFileStopsStartup() throws {
        let path = try TestEnvironment.temporaryDirectory() + "/readonly.db"
        let seed = try ServerProcess(arguments: ["migrate"], environment: ["STATEHOUSE_STORAGE_PATH": path])
        #expect(seed.waitForExit() == 0)
        chmod(path, 0o444)
        defer { chmod(path, 0o600) }
        let refused = try ServerProcess(arguments: ["serve"], environment: ["STATEHOUSE_STORAGE_PATH": path])
        #expect(refused.waitForExit() == 1)
        #expect(refused.standardOutput.contains("is not writable"))
    }

    @Test func sigintAlsoStopsCleanly() throws {
        let server = try ServerProcess(
            arguments: ["serve"], environment: Self.memory.merging(["STATEHOUSE_SERVER_PORT": "0"]) { $1 })
        #expect(server.waitForPort() != nil)
        server.send(SIGINT)
        #expect(server.waitForExit() == 0)
        #expect(server.standardOutput.contains("signal=SIGINT"))
    }

    @Test func sigtermLetsARequestInProgressFinish() throws {
        // Long timeouts: this is about draining, and a loaded test machine can stall this
        // thread for longer than the 10 s defaults.
        let server = try ServerProcess(
            arguments: ["serve"],
            environment: Self.memory.merging([
                "STATEHOUSE_SERVER_PORT": "0", "STATEHOUSE_SERVER_HEADER_TIMEOUT": "120",
                "STATEHOUSE_SERVER_DRAIN_TIMEOUT": "120",
            ]) { $1 })
        let port = try #require(server.waitForPort())
        let client = try TestClient(port: port)
        try client.send("GET /healthz HTTP/1.1\r\n")  // half a request head: in flight
        server.send(SIGTERM)
        #expect(server.waitForLine(containing: "shutting down") != nil)
        try client.send("Host: h\r\n\r\n")
        let reply = try client.readResponse()
        #expect(reply.status == 200)
        #expect(reply.headers["Connection"] == "close")
        #expect(server.waitForExit() == 0)
        #expect(server.standardOutput.contains("notice stopped drained=true"))
    }

    @Test func aSecondSignalExitsWithoutWaitingForTheDrain() throws {
        // Long timeouts, so the half-sent request keeps the drain going however slowly this
        // thread gets to send the second signal.
        let server = try ServerProcess(
            arguments: ["serve"],
            environment: Self.memory.merging([
                "STATEHOUSE_SERVER_PORT": "0", "STATEHOUSE_SERVER_HEADER_TIMEOUT": "120",
                "STATEHOUSE_SERVER_DRAIN_TIMEOUT": "120",
            ]) { $1 })
        let port = try #require(server.waitForPort())
        let client = try TestClient(port: port)
        try client.send("GET /healthz HTTP/1.1\r\n")
        server.send(SIGTERM)
        #expect(server.waitForLine(containing: "shutting down") != nil)
        server.send(SIGINT)
        #expect(server.waitForExit() == 1)
        #expect(server.standardOutput.contains("second signal"))
        _ = client
    }

    @Test func logsJSONLinesWhenAsked() throws {
        let server = try ServerProcess(
            arguments: ["serve", "--config", self.config],
            environment: Self.memory.merging(["STATEHOUSE_SERVER_PORT": "0", "STATEHOUSE_LOG_FORMAT": "json"]) { $1 })
        let line = try #require(server.waitForLine(containing: "statehouse listening"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["level"] == "notice")
        let port = try #require(
            object["addresses"]?.split(separator: ",").first?.split(separator: ":").last.flatMap { Int($0) })
        _ = try TestClient(port: port).exchange("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n")
        let access = try #require(server.waitForLine(containing: "\"path\":\"/healthz\""))
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(access.utf8)) as? [String: String])
        #expect(fields["status"] == "200")
        #expect(fields["request.id"]?.isEmpty == false)
        server.send(SIGTERM)
        #expect(server.waitForExit() == 0)
    }

    @Test func aBadConfigFileStopsStartupNamingTheKey() throws {
        let path = NSTemporaryDirectory() + "statehouse-bad-\(UUID().uuidString).toml"
        try "[server]\nport = \"eighty\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try ServerProcess(arguments: ["serve", "--config", path])
        let status = server.waitForExit()
        #expect(status != nil && status != 0)
        #expect(server.standardError.contains("server.port: expected an integer, got a string"))
    }

    @Test func aMissingNamedConfigFileIsAnError() throws {
        let server = try ServerProcess(arguments: ["serve", "--config", "/nonexistent/statehouse.toml"])
        #expect(server.waitForExit() != 0)
        #expect(server.standardError.contains("cannot read config file /nonexistent/statehouse.toml"))
    }

    @Test func anUnknownEnvironmentSettingIsAnError() throws {
        let server = try ServerProcess(arguments: ["serve"], environment: ["STATEHOUSE_SERVER_PROT": "1"])
        #expect(server.waitForExit() != 0)
        #expect(server.standardError.contains("STATEHOUSE_SERVER_PROT: unknown setting"))
    }

    @Test func aPortInUseIsAClearStartupError() throws {
        let first = try ServerProcess(
            arguments: ["serve"], environment: Self.memory.merging(["STATEHOUSE_SERVER_PORT": "0"]) { $1 })
        let port = try #require(first.waitForPort())
        let second = try ServerProcess(
            arguments: ["serve"],
            environment: Self.memory.merging([
                "STATEHOUSE_SERVER_PORT": "\(port)", "STATEHOUSE_SERVER_HOST": "127.0.0.1",
            ]) { $1 })
        #expect(second.waitForExit() == 1)
        #expect(second.standardOutput.contains("cannot listen on 127.0.0.1:\(port)"))
        #expect(second.standardOutput.contains("Address already in use"))
        first.send(SIGTERM)
        #expect(first.waitForExit() == 0)
    }

    @Test func versionNamesTheLinkedLibraries() throws {
        let process = try ServerProcess(arguments: ["--version"])
        #expect(process.waitForExit() == 0)
        #expect(process.standardOutput.hasPrefix("statehouse 0.1.0 (libpq "))
        #expect(process.standardOutput.contains("zlib "))
    }
}
