import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything the server needs to know: where to listen and how much to accept.
public struct HTTPServerConfiguration: Sendable {
    /// Host to listen on: a name (`localhost`: 127.0.0.1 and ::1), a numeric address, or `*`
    /// for every IPv4 and IPv6 interface.
    public var host: String = "localhost"
    /// TCP port; 0 picks a free one (shared by every address of `host`).
    public var port: Int = 8080
    /// Pending-connection queue length passed to listen(2).
    public var backlog: Int32 = 1024
    /// Open connections, idle ones included. When a new one would pass it, the connection that
    /// has waited longest for its next request is closed to make room; when every connection is
    /// busy with a request, the new one gets 503 with `Retry-After`.
    public var maxConnections: Int = 10_000
    /// Open connections from one client address; past it new ones from that address get 503 with
    /// `Retry-After`. 0 means no cap (behind a proxy every client has the proxy's address).
    public var maxConnectionsPerAddress: Int = 256
    /// Request size limits.
    public var limits = RequestParser.Limits(
        maxRequestLineBytes: 8192, maxHeaderBytes: 65536, maxHeaderCount: 100, maxBodyBytes: 64 << 20)
    /// Request-body bytes all connections may hold at once (announced lengths count in full
    /// before the body is read); past it a request gets 503 with `Retry-After`. Defaults to a
    /// quarter of the memory this process may use (``defaultBodyBudget()``), and is never below
    /// `limits.maxBodyBytes`.
    public var maxBufferedBodyBytes: Int = HTTPServerConfiguration.defaultBodyBudget()
    /// How long a kept-alive connection may wait for its next request before it is closed.
    public var idleTimeout: Duration = .seconds(120)
    /// How long a request head may take to arrive once its first byte is in (slow clients get 408).
    public var headerTimeout: Duration = .seconds(10)
    /// How long a whole request body may take to arrive after its head (408 when exceeded), however
    /// fast it comes.
    public var bodyTimeout: Duration = .seconds(300)
    /// How long each read of a request body may wait for data (408 when exceeded).
    public var readTimeout: Duration = .seconds(30)
    /// The slowest average a request body may arrive at, in bytes per second, once
    /// `readTimeout` has passed since its head: a client dripping bytes just inside
    /// `readTimeout` still gets 408.
    public var minBodyRate: Int = 16384
    /// How long writing one response may take before the connection is dropped.
    public var writeTimeout: Duration = .seconds(30)
    /// TLS for every connection when set (plain HTTP otherwise).
    public var tls: TLSConfiguration? = nil
    /// The `Server` header value.
    public var serverName: String = "statehouse"
    /// Stack size of each thread that serves a request.
    public var threadStackSize: Int = 1 << 20

    /// The defaults above.
    public init() {}

    /// A quarter of the memory this process may use: the physical memory, or the cgroup's limit
    /// (v2 or v1) when a container sets a lower one.
    public static func defaultBodyBudget() -> Int {
        var memory = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        // cgroup v2, then v1; "max" (no limit) does not parse.
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? FileIO.readAll(path),
                let limit = Int(String(decoding: text, as: UTF8.self).filter { !$0.isWhitespace })
            {
                memory = min(memory, limit)
            }
        }
        return max(memory / 4, 64 << 20)
    }
}
