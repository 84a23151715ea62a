import Foundation
import HTTPTestSupport
import PasswordAuth
import Testing

/// A fatal error ends `statehouse serve` at once, so that a supervisor restarts it: no crash
/// reporter holds the process (see FatalErrorPolicy).
@Suite struct FatalErrorTests {
    static let environment = [
        "STATEHOUSE_SERVER_PORT": "0", "STATEHOUSE_STORAGE_DRIVER": "memory",
        // One malloc arena: otherwise glibc reserves 64 MiB of address space for each new one, as
        // threads happen to contend, and the address space in use varies from run to run by that much.
        "MALLOC_ARENA_MAX": "1",
        "STATEHOUSE_USERS":
            #"[{ name = "ci", password_hash = "\#(PasswordHash.make(password: "pw", iterations: 1000))", grants = { "*" = "admin" } }]"#,
    ]

    @Test func anAllocationThatFailsUnderAnAddressSpaceLimitEndsTheProcessAtOnce() throws {
        // The address space the server maps once it has answered a request, without a limit.
        let unlimited = try ServerProcess(arguments: ["serve"], environment: Self.environment)
        let unlimitedPort = try #require(unlimited.waitForPort(), "\(unlimited.standardOutput)")
        #expect(try TestClient(port: unlimitedPort).exchange("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
        let mapped = try unlimited.virtualBytes()
        unlimited.send(SIGTERM)
        #expect(unlimited.waitForExit() == 0)

        // 32 MiB more than that: holding a 60 MiB state body must fail (a store could only take it
        // by streaming it), and a failed allocation is a fatal error in Swift.
        let server = try ServerProcess(
            arguments: ["serve"], environment: Self.environment, addressSpaceLimit: mapped + (32 << 20))
        let port = try #require(server.waitForPort(), "\(server.standardOutput)\(server.standardError)")
        let length = 60 << 20
        let client = try TestClient(port: port)
        try client.send(
            "POST /state/big HTTP/1.1\r\nHost: h\r\nAuthorization: Basic Y2k6cHc=\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(length)\r\n\r\n")
        let sent = ContinuousClock.now
        try? client.send([UInt8](repeating: UInt8(ascii: " "), count: length))
        #expect(server.waitForExit(timeout: 20) == SIGABRT)
        let took = ContinuousClock.now - sent
        let output = server.standardOutput + server.standardError
        #expect(output.contains("Fatal error: failed to allocate"), "\(output)")
        // The crash reporter never ran: it stops every thread and symbolicates each, for minutes
        // with a few hundred connections.
        #expect(!output.contains("Backtracing"))
        #expect(took < .seconds(5), "the process ended \(took) after the request")
    }
}
