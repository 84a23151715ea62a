import Foundation
import HTTPTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary with thousands of idle keep-alive connections, as an attacker without
/// credentials would hold them: they cost no thread and little memory, and they can never crowd
/// out a new client, because the longest-idle ones make room.
@Suite struct IdleConnectionsTests {
    static let idle = 3000
    static let cap = 2000
    static let addresses = 12

    /// Whether this process may open the connections (each end is a descriptor of its own).
    static let descriptorsAvailable: Bool = {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0,
            limit.rlim_max >= rlim_t(Self.idle + 512)
        else { return false }
        limit.rlim_cur = max(limit.rlim_cur, rlim_t(Self.idle + 512))
        return setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
    }()

    @Test(.enabled(if: Self.descriptorsAvailable, "needs an open-file limit above \(Self.idle + 512)"))
    func idleConnectionsHoldNoThreadAndNeverCrowdOutANewClient() throws {
        let server = try ServerProcess(
            arguments: ["serve"],
            environment: [
                "STATEHOUSE_SERVER_PORT": "0", "STATEHOUSE_STORAGE_DRIVER": "memory",
                "STATEHOUSE_SERVER_MAX_CONNECTIONS": "\(Self.cap)",
            ], directory: try TestEnvironment.temporaryDirectory())
        let port = try #require(server.waitForPort(), "\(server.standardOutput)\(server.standardError)")
        let request = "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(try TestClient(port: port).exchange(request).status == 200)
        let residentBefore = try server.residentBytes()

        // Each sends one request, then stays idle; no address passes its cap of 256.
        var idle: [TestClient] = []
        for index in 0..<Self.idle {
            let client = try TestClient(port: port, source: "127.0.0.\(2 + index % Self.addresses)")
            #expect(try client.exchange(request).status == 200, "idle connection \(index)")
            idle.append(client)
        }
        let threads = try server.threadCount()
        let growth = try server.residentBytes() - residentBefore
        for probe in 0..<50 {
            #expect(try TestClient(port: port).exchange(request).status == 200, "new client \(probe)")
        }

        // A thread per connection was 3,000 threads and ~75 MiB; now a handful and a few MiB.
        #expect(threads < 64, "\(threads) threads with \(Self.idle) idle connections")
        #expect(growth < 24 << 20, "RSS grew by \(growth >> 10) KiB for \(Self.idle) idle connections")
        // The server closed one idle connection for each new one past the cap (the probes' too),
        // the longest idle first: the newest are still open. (Which old ones went follows when
        // each was parked, which a loaded machine may reorder a little.)
        let closed = Self.closedByPeer(idle)
        let closedCount = closed.filter { $0 }.count
        #expect((Self.idle - Self.cap...Self.idle - Self.cap + 51).contains(closedCount), "\(closedCount) closed")
        #expect(closed.suffix(Self.cap / 2).allSatisfy { !$0 }, "the newest are still open")
    }

    /// For each client, whether the server has closed its connection (checked at once, together).
    static func closedByPeer(_ clients: [TestClient]) -> [Bool] {
        var descriptors = clients.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        _ = poll(&descriptors, nfds_t(descriptors.count), 0)
        return descriptors.map { $0.revents != 0 }
    }
}
