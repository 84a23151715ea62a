import HTTPServer
import Logging

/// The driving adapter: turns HTTP requests into application calls and their results into
/// responses. Errors become short JSON bodies (`{"error": "…"}`) with a 4xx status.
public struct StatehouseAPI: HTTPResponder {
    /// Creates the API.
    public init() {}

    /// Routes one request.
    public func respond(to request: Request) -> Response {
        switch request.path {
        case "/healthz":
            guard request.method == "GET" || request.method == "HEAD" else {
                return .methodNotAllowed(allowed: ["GET", "HEAD"])
            }
            return .json(.ok, #"{"status":"ok"}"#)
        default:
            return .error(.notFound, "no route for \(request.path)")
        }
    }
}
