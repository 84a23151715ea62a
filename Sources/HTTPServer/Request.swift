import Logging

/// A complete request handed to the responder: head, whole body and connection details.
public struct Request: Sendable {
    /// The parsed request line and headers.
    public var head: RequestHead
    /// The body bytes, already de-chunked; empty when there was none.
    public var body: [UInt8]
    /// The request id: the client's `X-Request-Id` when it is a short token, otherwise generated.
    public var id: String
    /// The peer address, such as `127.0.0.1:52100` or `[::1]:52100`.
    public var remoteAddress: String
    /// A logger carrying `request.id` in its metadata.
    public var logger: Logger
    /// The client certificate, when the connection is TLS and it verified.
    public var clientCertificate: ClientCertificate?

    /// Creates a request.
    public init(
        head: RequestHead, body: [UInt8], id: String, remoteAddress: String, logger: Logger,
        clientCertificate: ClientCertificate? = nil
    ) {
        self.head = head
        self.body = body
        self.id = id
        self.remoteAddress = remoteAddress
        self.logger = logger
        self.clientCertificate = clientCertificate
    }

    /// `incoming` with its body.
    public init(_ incoming: IncomingRequest, body: [UInt8]) {
        self.init(
            head: incoming.head, body: body, id: incoming.id, remoteAddress: incoming.remoteAddress,
            logger: incoming.logger, clientCertificate: incoming.clientCertificate)
    }

    /// The request without its body, as it was admitted.
    public var incoming: IncomingRequest {
        IncomingRequest(
            head: self.head, id: self.id, remoteAddress: self.remoteAddress, logger: self.logger,
            clientCertificate: self.clientCertificate)
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
