import HTTPTransport

/// A one-request-per-connection HTTP/1.1 client over POSIX sockets, with TLS for `https://`.
public struct HTTPClient: Sendable {
    /// Where requests go.
    public let server: ServerURL
    /// How long connecting, and each send or receive, may take.
    public let timeout: Duration
    private let tls: TLSClientContext?

    /// A client for `server`; for `https://` the TLS files are loaded now (errors name the file).
    public init(server: ServerURL, tls files: TLSFiles = TLSFiles(), timeout: Duration = .seconds(30))
        throws(CLIError)
    {
        self.server = server
        self.timeout = timeout
        do {
            self.tls = server.scheme == .https ? try TLSClientContext(files) : nil
        } catch {
            throw .usage(error.description)
        }
    }

    /// Connects, sends `request` with `Host` and `Connection: close`, and reads the whole response.
    public func send(_ request: HTTPRequest) throws(CLIError) -> HTTPResponse {
        let stream: any ByteStream
        do {
            let tcp = try TCPConnection.connect(host: self.server.host, port: self.server.port, timeout: self.timeout)
            if let context = self.tls {
                stream = try TLSConnection(context: context, over: tcp, host: self.server.host)
            } else {
                stream = tcp
            }
            try stream.write(request.serialized(host: self.server.authority))
        } catch {
            throw .unreachable(server: self.server.description, reason: error.description)
        }
        var parser = ResponseParser()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do {
                count = try stream.read(into: buffer)
            } catch {
                throw .unreachable(server: self.server.description, reason: error.description)
            }
            do {
                if count == 0 { return try parser.finish() }
                if let response = try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[..<count])) {
                    return response
                }
            } catch {
                throw .invalidResponse(server: self.server.description, reason: error.description)
            }
        }
    }
}
