/// The protocol version of a request: HTTP/1.0 or HTTP/1.1.
public enum HTTPVersion: String, Equatable, Sendable {
    /// HTTP/1.0: connections close after each response unless the client asks for keep-alive.
    case http10 = "HTTP/1.0"
    /// HTTP/1.1: connections stay open unless a side sends `Connection: close`.
    case http11 = "HTTP/1.1"
}
