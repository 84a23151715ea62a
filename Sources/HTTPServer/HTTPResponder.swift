/// The one seam between the server and the application, in two steps: a decision from the
/// request head alone, then the answer once the body the decision allowed has been read.
///
/// Both are called on the connection's own thread and may block (for example on a database call).
public protocol HTTPResponder: Sendable {
    /// Decides about a request whose head has arrived and whose body has not been read: refuse
    /// it now (the body is never read and the connection closes after the answer), or read a
    /// body of at most some size and answer then.
    func admit(_ request: IncomingRequest) -> Admission
}

/// What a responder decides from a request head.
public enum Admission: Sendable {
    /// Answer with this response at once, without reading the body or sending `100 Continue`;
    /// the connection closes after it.
    case refuse(Response)
    /// Read a body of at most `maxBodyBytes` (the server's own limit applies too; a larger one is
    /// 413), then answer the whole request with `respond`.
    case accept(maxBodyBytes: Int, respond: @Sendable (Request) -> Response)
}

/// A responder that reads every body up to the server's limit and answers whole requests.
public protocol RequestResponder: HTTPResponder {
    /// Answers one complete request.
    func respond(to request: Request) -> Response
}

extension RequestResponder {
    /// Accepts every request, with the server's own body limit.
    public func admit(_ request: IncomingRequest) -> Admission {
        .accept(maxBodyBytes: .max) { self.respond(to: $0) }
    }
}

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

extension HTTPResponder {
    /// Answers a request that is already complete, in memory, as the server would: the decision
    /// from its head, then its body against the limit that decision set (413 past it), then the
    /// answer. For tests and for calling a responder without a socket.
    public func handle(_ request: Request) -> Response {
        switch self.admit(request.incoming) {
        case .refuse(let response):
            return response
        case .accept(let maxBodyBytes, let respond):
            guard request.body.count <= maxBodyBytes else {
                return ResponseWriter.errorResponse(
                    HTTPError(.contentTooLarge, "body larger than \(maxBodyBytes) bytes"))
            }
            return respond(request)
        }
    }
}
