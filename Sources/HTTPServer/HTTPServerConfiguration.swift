/// Everything the server needs to know: where to listen and how much to accept.
public struct HTTPServerConfiguration: Sendable {
    /// Host to listen on: a name (`localhost`: 127.0.0.1 and ::1), a numeric address, or `*`
    /// for every IPv4 and IPv6 interface.
    public var host: String = "localhost"
    /// TCP port; 0 picks a free one (shared by every address of `host`).
    public var port: Int = 8080
    /// Pending-connection queue length passed to listen(2).
    public var backlog: Int32 = 1024
    /// Open connections served at once; past it new ones get 503 with `Retry-After`.
    public var maxConnections: Int = 1024
    /// Request size limits.
    public var limits = RequestParser.Limits(
        maxRequestLineBytes: 8192, maxHeaderBytes: 65536, maxHeaderCount: 100, maxBodyBytes: 64 << 20)
    /// How long a kept-alive connection may wait for its next request before it is closed.
    public var idleTimeout: Duration = .seconds(120)
    /// How long a request head may take to arrive once its first byte is in (slow clients get 408).
    public var headerTimeout: Duration = .seconds(10)
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
    /// Stack size of each connection thread.
    public var threadStackSize: Int = 1 << 20

    /// The defaults above.
    public init() {}
}
