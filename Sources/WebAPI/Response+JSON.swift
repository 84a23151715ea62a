import APITypes
import HTTPServer

extension Response {
    /// A response with a JSON body given as text (fixed protocol answers).
    static func json(_ status: HTTPStatus, _ body: String) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    /// A response with `document` as its JSON body, encoded as every management answer is.
    static func document(_ status: HTTPStatus, _ document: some Encodable) -> Response {
        do {
            return Response(
                status: status, headers: ["Content-Type": "application/json"], body: try APIJSON.encode(document))
        } catch {
            // Only a non-finite number fails to encode, and no document holds one.
            return .error(.internalServerError, "internal error: cannot encode the answer")
        }
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
