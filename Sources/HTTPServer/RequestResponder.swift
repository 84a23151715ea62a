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
