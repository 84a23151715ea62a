/// A request the server refuses before any responder sees it: malformed, too large or too slow.
///
/// The server answers it with ``status`` and a short JSON body carrying ``message``, then closes
/// the connection.
public struct HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The status to answer with.
    public let status: HTTPStatus
    /// A short explanation for the client.
    public let message: String

    /// Creates an error answered with `status`.
    public init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    /// `"400 Bad Request: …"`.
    public var description: String { "\(self.status): \(self.message)" }
}
