import HTTPServer

extension Response {
    /// A response with a JSON body.
    static func json(_ status: HTTPStatus, _ body: String) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    /// An error response: `{"error": message}`.
    static func error(_ status: HTTPStatus, _ message: String) -> Response {
        .json(status, jsonError(message))
    }

    /// 405 with the `Allow` header listing `allowed`.
    static func methodNotAllowed(allowed: [String]) -> Response {
        var response = Response.error(.methodNotAllowed, "method not allowed; use \(allowed.joined(separator: ", "))")
        response.headers.add(name: "Allow", value: allowed.joined(separator: ", "))
        return response
    }
}
