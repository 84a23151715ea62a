internal import HTTPTransport

/// Why an issuer's keys could not be had: unreachable, a bad answer, or keys that cannot be used.
public struct KeyFetchError: Error, CustomStringConvertible {
    /// What went wrong, naming the URL or file.
    public let description: String

    init(_ description: String) { self.description = description }
}

/// GETs small documents over HTTPS, one connection each: the certificate is verified against the
/// CA file or the system's CAs and must name the host; answers are bounded in size and time.
struct HTTPSGetter: Sendable {
    /// The largest answer accepted (discovery documents and key sets are a few kB).
    static let maxBodyBytes = 1 << 20

    private let context: TLSClientContext
    /// How long connecting, and each send or receive, may take.
    private let timeout: Duration
    /// How long a whole exchange may take.
    private let total: Duration

    /// A getter trusting the CAs in `caFile` (or the system's).
    init(caFile: String?, timeout: Duration = .seconds(5), total: Duration = .seconds(10)) throws(KeyFetchError) {
        do {
            self.context = try TLSClientContext(TLSFiles(caFile: caFile))
        } catch {
            throw KeyFetchError(error.description)
        }
        self.timeout = timeout
        self.total = total
    }

    /// The body of a 200 answer to `GET location`.
    func get(_ location: HTTPSLocation) throws(KeyFetchError) -> [UInt8] {
        let deadline = ContinuousClock.now + self.total
        do {
            let tcp = try TCPConnection.connect(host: location.host, port: location.port, timeout: self.timeout)
            let stream = try TLSConnection(context: self.context, over: tcp, host: location.host)
            let request = HTTPRequest(method: "GET", target: location.target, headers: [("Accept", "application/json")])
            try stream.write(request.serialized(host: location.authority))
            var parser = ResponseParser(maxBodyBytes: HTTPSGetter.maxBodyBytes)
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                guard ContinuousClock.now < deadline else {
                    throw KeyFetchError("GET \(location): no complete answer within \(seconds(self.total))")
                }
                let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
                guard let response = count == 0 ? try parser.finish() : try parser.feed(buffer[..<count]) else {
                    continue
                }
                guard response.status == 200 else {
                    throw KeyFetchError("GET \(location) answered \(response.status) \(response.reason)")
                }
                return response.body
            }
        } catch let error as KeyFetchError {
            throw error
        } catch {
            throw KeyFetchError("GET \(location): \(error)")
        }
    }
}
