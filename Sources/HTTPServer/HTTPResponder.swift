/// The one seam between the server and the application, in two steps: a decision from the
/// request head alone, then the answer once the body the decision allowed has been read.
///
/// Both are called on the connection's own thread and may block (for example on a database call).
public protocol HTTPResponder: Sendable {
    /// Decides about a request whose head has arrived and whose body has not been read: refuse
    /// it now (the body is never read, and a connection with a body on its way closes after the
    /// answer), or read a body of at most some size and answer then.
    func admit(_ request: IncomingRequest) -> Admission
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
