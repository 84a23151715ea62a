/// The request line and header fields of a request, as the parser produces them.
public struct RequestHead: Equatable, Sendable {
    /// The method token, case-sensitive (`GET`, `LOCK`, any custom token).
    public var method: String
    /// The request target exactly as sent.
    public var rawTarget: String
    /// The target decoded into path and query.
    public var target: RequestTarget
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields in order.
    public var headers: HTTPHeaders

    /// Creates a request head.
    public init(method: String, rawTarget: String, target: RequestTarget, version: HTTPVersion, headers: HTTPHeaders) {
        self.method = method
        self.rawTarget = rawTarget
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// Whether the client wants the connection kept open after this exchange.
    public var wantsKeepAlive: Bool {
        let connection = self.headers.tokens(of: "Connection")
        switch self.version {
        case .http11: return !connection.contains("close")
        case .http10: return connection.contains("keep-alive") && !connection.contains("close")
        }
    }
}
