import Foundation
import HTTPTestSupport
import PasswordAuth
import Testing

/// `statehouse serve` under a flood of wrong passwords: one address is held back with 429, other
/// users keep working, the failures are logged (rate-limited, without the password) and counted.
@Suite struct LoginThrottleProcessTests {
    @Test func wrongPasswordsFromOneAddressTurnInto429WhileAnotherUserKeepsWorking() throws {
        let hash = PasswordHash.make(password: "pw", iterations: 1000)
        let server = try ServerProcess(
            arguments: ["serve"],
            environment: [
                "STATEHOUSE_SERVER_PORT": "0", "STATEHOUSE_STORAGE_DRIVER": "memory",
                "STATEHOUSE_LOGIN_FREE_FAILURES": "2",
                "STATEHOUSE_USERS": """
                [{ name = "alice", password_hash = "\(hash)", grants = { "*" = "write" } },
                 { name = "bob", password_hash = "\(hash)", grants = { "*" = "read" } }]
                """,
            ])
        let port = try #require(server.waitForPort(), "\(server.standardOutput)\(server.standardError)")
        func get(_ credentials: String, from source: String) throws -> TestClient.Reply {
            let authorization = Data(credentials.utf8).base64EncodedString()
            return try TestClient(port: port, source: source).exchange(
                "GET /api/v1/states HTTP/1.1\r\nHost: h\r\nAuthorization: Basic \(authorization)\r\n\r\n")
        }

        // The third wrong password holds the address back for 1 s, then 2 s, 4 s … after each
        // further one: a 429 comes within a few attempts however slow the machine.
        var statuses: [Int] = []
        var throttled: TestClient.Reply?
        for attempt in 0..<20 where throttled == nil {
            let reply = try get("alice:secret-guess-\(attempt)", from: "127.0.0.2")
            statuses.append(reply.status)
            if reply.status == 429 { throttled = reply }
            #expect(try get("bob:pw", from: "127.0.0.3").status == 200, "bob keeps working")
        }
        let held = try #require(throttled, "no 429 after \(statuses)")
        #expect(statuses.prefix(3) == [401, 401, 401])
        #expect(statuses.dropLast().allSatisfy { $0 == 401 })
        #expect(held.headers["Retry-After"].flatMap { Int($0) }.map { $0 >= 1 } == true)
        #expect(held.text.contains("too many failed logins"))
        #expect(try get("alice:pw", from: "127.0.0.4").status == 200, "alice herself is not locked out")

        let logged = try #require(server.waitForLine(containing: "failed logins"))
        #expect(logged.contains("address=127.0.0.2"))
        #expect(logged.contains("failures=1"))
        #expect(server.countLines(containing: "failed logins") == 1, "one line a minute per address")
        #expect(!server.standardOutput.contains("secret-guess"))

        let metrics = PrometheusText(
            try TestClient(port: port).exchange("GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n").text)
        #expect(metrics[#"statehouse_login_failures_total{kind="password"}"#] == Double(statuses.count - 1))
        #expect(metrics[#"statehouse_logins_throttled_total{reason="address"}"#] == 1)
        server.send(SIGTERM)
        #expect(server.waitForExit() == 0)
    }
}
