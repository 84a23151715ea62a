import Logging

/// What a responder answers. The server adds the framing headers itself (`Content-Length`,
/// `Date`, `Server`, `Connection`) and sends the body bytes untouched, whatever their
/// `Content-Encoding`.
public struct Response: Sendable {
    /// The status.
    public var status: HTTPStatus
    /// Headers set by the responder. `Content-Length`, `Transfer-Encoding`, `Date`, `Server`
    /// and `Connection` are owned by the server and replaced.
    public var headers: HTTPHeaders
    /// The body bytes. For `HEAD` requests the server sends only their length.
    public var body: [UInt8]
    /// Extra fields for this request's access-log line (for example the user and the state).
    public var logMetadata: Logger.Metadata = [:]
    /// A short, fixed name for the kind of route that answered (`"state"`, `"api"` …), used as a
    /// metrics label; `nil` counts as `"none"`. Never a path: labels must stay few.
    public var route: String? = nil

    /// Creates a response.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
