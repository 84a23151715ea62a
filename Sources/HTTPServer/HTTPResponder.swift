/// The one seam between the server and the application: a request in, a response out.
///
/// Called on the connection's own thread; it may block (for example on a database call).
public protocol HTTPResponder: Sendable {
    /// Answers one request.
    func respond(to request: Request) -> Response
}

/// A responder made from a closure.
public struct ClosureResponder: HTTPResponder {
    private let body: @Sendable (Request) -> Response

    /// Wraps `body`.
    public init(_ body: @escaping @Sendable (Request) -> Response) {
        self.body = body
    }

    /// Calls the closure.
    public func respond(to request: Request) -> Response {
        self.body(request)
    }
}
