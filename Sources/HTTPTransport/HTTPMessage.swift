/// One request as the client sends it.
public struct HTTPRequest: Sendable {
    /// The method, such as `GET`.
    public var method: String
    /// The origin-form target, such as `/api/v1/states?limit=10`.
    public var target: String
    /// Header fields in order, besides the framing ones the client adds itself.
    public var headers: [(name: String, value: String)]
    /// The body; `nil` sends none (and no `Content-Length`).
    public var body: [UInt8]?

    /// Creates a request.
    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The bytes on the wire: request line, `Host`, the headers, `Connection: close`, the body's
    /// `Content-Length`, then the body.
    package func serialized(host: String) -> [UInt8] {
        var head = "\(self.method) \(self.target) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in self.headers { head += "\(name): \(value)\r\n" }
        head += "Connection: close\r\n"
        if let body = self.body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (self.body ?? [])
    }
}

/// One complete response.
public struct HTTPResponse: Sendable {
    /// The status code, such as `200`.
    public var status: Int
    /// The reason phrase as sent (may be empty).
    public var reason: String
    /// Header fields in order.
    public var headers: [(name: String, value: String)]
    /// The body, de-chunked.
    public var body: [UInt8]

    /// Creates a response.
    package init(status: Int, reason: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (ASCII case-insensitive), or `nil`.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return self.headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var text: String { String(decoding: self.body, as: UTF8.self) }
}
