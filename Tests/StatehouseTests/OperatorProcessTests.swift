import Foundation
import HTTPServer
import HTTPTestSupport
import PasswordAuth
import SystemSupport
import Testing

/// Starting, checking and stopping the real binary the way a container runs it.
@Suite struct OperatorProcessTests {
    static let memory = ["STATEHOUSE_STORAGE_DRIVER": "memory", "STATEHOUSE_SERVER_PORT": "0"]
    let config = ServerProcess.repositoryRoot + "/config.toml"

    @Test func theShippedUserIsRefusedOnEveryInterface() throws {
        let server = try ServerProcess(
            arguments: ["serve", "--config", self.config],
            environment: Self.memory.merging(["STATEHOUSE_SERVER_HOST": "*"]) { $1 })
        #expect(server.waitForExit() == 1)
        #expect(server.standardOutput.contains("refusing to listen on * while user admin has the default password"))
        #expect(!server.standardOutput.contains("statehouse listening"))
    }

    @Test func healthcheckFollowsTheServer() throws {
        let server = try ServerProcess(arguments: ["serve", "--config", self.config], environment: Self.memory)
        let port = try #require(server.waitForPort())
        let environment = ["STATEHOUSE_SERVER_PORT": "\(port)"]
        let healthy = try ServerProcess(arguments: ["healthcheck", "--config", self.config], environment: environment)
        #expect(healthy.waitForExit() == 0)
        #expect(healthy.standardOutput == "healthy\n")
        server.send(SIGTERM)
        #expect(server.waitForExit() == 0)
        let gone = try ServerProcess(arguments: ["healthcheck", "--config", self.config], environment: environment)
        #expect(gone.waitForExit() == 1)
        #expect(gone.standardOutput.hasPrefix("unhealthy: "))
    }

    @Test func anUnreachableDatabaseStopsStartupAfterTheConnectTimeout() throws {
        let server = try ServerProcess(
            arguments: ["serve", "--config", self.config],
            environment: [
                "STATEHOUSE_STORAGE_DRIVER": "postgres", "STATEHOUSE_STORAGE_CONNECT_TIMEOUT": "1",
                "STATEHOUSE_STORAGE_URL": "postgresql://statehouse:db-SECRET-5@127.0.0.1:1/statehouse",
            ])
        #expect(server.waitForExit() == 1)
        let output = server.standardOutput + server.standardError
        #expect(output.contains("database not reachable yet; retrying"))
        #expect(output.contains("critical cannot start"))
        #expect(output.contains("Connection refused"))
        #expect(!output.contains("db-SECRET-5"))
    }

    @Test func noPasswordTokenOrStateContentReachesTheLog() throws {
        let users =
            #"[{ name = "ci", password_hash = "\#(PasswordHash.make(password: "pw-SECRET-1", iterations: 1000))", grants = { "*" = "admin" } }]"#
        let server = try ServerProcess(
            arguments: ["serve", "--config", self.config],
            environment: Self.memory.merging(["STATEHOUSE_USERS": users, "STATEHOUSE_LOG_LEVEL": "trace"]) { $1 })
        let port = try #require(server.waitForPort())
        let client = try TestClient(port: port)
        let good = "Basic " + Base64.encode(Array("ci:pw-SECRET-1".utf8))
        let bad = "Basic " + Base64.encode(Array("ci:pw-WRONG-2".utf8))
        let state =
            #"{"version":4,"serial":1,"lineage":"l","outputs":{"token":{"value":"state-SECRET-3","type":"string","sensitive":true}},"resources":[]}"#
        func send(_ method: String, _ target: String, _ authorization: String, _ body: String = "") throws -> Int {
            try client.exchange(
                "\(method) \(target) HTTP/1.1\r\nHost: h\r\nAuthorization: \(authorization)\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            ).status
        }
        #expect(try send("POST", "/state/app", good, state) == 200)
        #expect(try send("GET", "/state/app", good) == 200)
        #expect(try send("GET", "/state/app", bad) == 401)
        #expect(try send("POST", "/state/app", good, "{not json state-SECRET-3") == 400)
        #expect(try send("GET", "/api/v1/states/app/versions/1", good) == 200)
        // The last request's access line is written after its answer: a request behind it on
        // the same connection makes sure it is in the log before we read it.
        #expect(try send("GET", "/healthz", good) == 200)
        server.send(SIGTERM)
        #expect(server.waitForExit() == 0)
        let log = server.standardOutput + server.standardError
        #expect(log.contains("path=/state/app"))
        #expect(log.contains("user=ci"))
        for secret in [
            "pw-SECRET-1", "pw-WRONG-2", "state-SECRET-3", String(good.dropFirst(6)), String(bad.dropFirst(6)),
        ] {
            #expect(!log.contains(secret), "\(secret) is in the log")
        }
    }
}
