/// A responder made from a closure that answers whole requests.
public struct ClosureResponder: RequestResponder {
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
