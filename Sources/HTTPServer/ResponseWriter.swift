import SystemSupport

/// Serialises response heads. Pure: no I/O, so it is tested in memory.
enum ResponseWriter {
    /// Headers the server owns; a responder's values for them are dropped.
    private static let framingHeaders = [
        "content-length", "transfer-encoding", "connection", "date", "server", "keep-alive",
    ]

    /// The status line and header section for `response`.
    ///
    /// - Parameters:
    ///   - keepAlive: whether the connection stays open; `false` adds `Connection: close`.
    ///   - http10KeepAlive: an HTTP/1.0 client asked for keep-alive, so it is confirmed.
    static func head(
        for response: Response, server: String, date: String, keepAlive: Bool, http10KeepAlive: Bool
    ) -> [UInt8] {
        var text = "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\n"
        text += "Server: \(server)\r\nDate: \(date)\r\n"
        if !response.status.forbidsBody {
            text += "Content-Length: \(response.body.count)\r\n"
        }
        if !keepAlive {
            text += "Connection: close\r\n"
        } else if http10KeepAlive {
            text += "Connection: keep-alive\r\n"
        }
        for field in response.headers {
            let name = field.name.asciiLowercased()
            guard !self.framingHeaders.contains(name), !field.name.isEmpty, field.name.utf8.allSatisfy(isTokenByte)
            else { continue }
            text += field.name
            text += ": "
            // A value can never end the header line early (response splitting).
            text +=
                field.value.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F })
                ? String(
                    decoding: field.value.utf8.map { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F ? 0x20 : $0 }, as: UTF8.self)
                : field.value
            text += "\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// A complete response with a short JSON error body, for failures the server answers itself.
    static func errorResponse(_ error: HTTPError, retryAfterSeconds: Int? = nil) -> Response {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let retryAfterSeconds {
            headers.add(name: "Retry-After", value: String(retryAfterSeconds))
        }
        return Response(status: error.status, headers: headers, body: Array(jsonError(error.message).utf8))
    }
}

/// `{"error":"…"}` with `message` escaped as a JSON string.
public func jsonError(_ message: String) -> String {
    "{\"error\":\(jsonStringLiteral(message))}"
}
