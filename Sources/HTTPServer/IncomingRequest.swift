import Logging

/// A request whose head has arrived and whose body has not been read yet: what a responder
/// decides on.
public struct IncomingRequest: Sendable {
    /// The parsed request line and headers.
    public var head: RequestHead
    /// The request id: the client's `X-Request-Id` when it is a short token, otherwise generated.
    public var id: String
    /// The peer address, such as `127.0.0.1:52100` or `[::1]:52100`.
    public var remoteAddress: String
    /// A logger carrying `request.id` in its metadata.
    public var logger: Logger
    /// The client certificate, when the connection is TLS and it verified.
    public var clientCertificate: ClientCertificate?

    /// Creates an incoming request.
    public init(
        head: RequestHead, id: String, remoteAddress: String, logger: Logger,
        clientCertificate: ClientCertificate? = nil
    ) {
        self.head = head
        self.id = id
        self.remoteAddress = remoteAddress
        self.logger = logger
        self.clientCertificate = clientCertificate
    }

    /// The method token.
    public var method: String { self.head.method }
    /// The percent-decoded path.
    public var path: String { self.head.target.path }
    /// The header fields.
    public var headers: HTTPHeaders { self.head.headers }
    /// The first value of the query parameter `name`, or `nil`.
    public func queryValue(_ name: String) -> String? { self.head.target.queryValue(name) }
    /// The client's address without its port.
    public var remoteHost: String { host(of: self.remoteAddress) }
}

/// The host part of `address:port` or `[v6address]:port`.
func host(of address: String) -> String {
    if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
        return String(address[address.index(after: address.startIndex)..<close])
    }
    guard let colon = address.lastIndex(of: ":"), address.firstIndex(of: ":") == colon else { return address }
    return String(address[..<colon])
}
