import HTTPServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A raw-socket HTTP client for tests. Every wait is bounded, so a broken server fails a test
/// instead of hanging it.
public final class TestClient {
    /// A parsed response.
    public struct Reply: Equatable {
        /// The status code.
        public var status: Int
        /// The header fields.
        public var headers: HTTPHeaders
        /// The body bytes.
        public var body: [UInt8]
        /// The body as UTF-8 text.
        public var text: String { String(decoding: self.body, as: UTF8.self) }
    }

    /// Why an exchange failed.
    public enum ClientError: Error {
        case connectFailed(Int32)
        case timedOut, closed, reset
        case malformed(String)
    }

    /// The socket.
    public let fd: Int32
    private var pending: [UInt8] = []

    /// Connects to `host` (an IPv4 or IPv6 literal) on `port`, from the IPv4 address `source` when
    /// given (any 127.x.y.z works on loopback).
    public init(port: Int, host: String = "127.0.0.1", source: String? = nil) throws {
        let isV6 = host.contains(":")
        let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError.connectFailed(errno) }
        var result: Int32
        if isV6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            let bound = source.map { TestClient.withIPv4($0, port: 0) { bind(fd, $0, $1) } } ?? 0
            result = bound != 0 ? bound : TestClient.withIPv4(host, port: port) { connect(fd, $0, $1) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw ClientError.connectFailed(code)
        }
        self.fd = fd
    }

    deinit { close(self.fd) }

    /// Calls `body` with the IPv4 socket address of `host` and `port`.
    private static func withIPv4(_ host: String, port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32)
        -> Int32
    {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// Sends `text` as UTF-8.
    public func send(_ text: String) throws { try self.send(Array(text.utf8)) }

    /// Sends `bytes`.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw ClientError.closed }
            offset += written
        }
    }

    /// Reads whatever arrives within `timeout`; `nil` on EOF.
    private func fill(timeout: Duration) throws -> Bool {
        var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&descriptor, 1, ms) > 0 else { throw ClientError.timedOut }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { read(self.fd, $0.baseAddress, $0.count) }
        if count < 0 { throw errno == ECONNRESET ? ClientError.reset : ClientError.closed }
        if count == 0 { return false }
        self.pending.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads one response. `headRequest` means no body follows the head whatever its length.
    public func readResponse(timeout: Duration = .seconds(10), headRequest: Bool = false) throws -> Reply {
        let deadline = ContinuousClock.now + timeout
        func remaining() -> Duration { max(deadline - .now, .zero) }
        var headEnd: Int? = nil
        while headEnd == nil {
            if let range = self.find([13, 10, 13, 10]) {
                headEnd = range
                break
            }
            guard try self.fill(timeout: remaining()) else { throw ClientError.closed }
        }
        let headBytes = Array(self.pending[0..<headEnd!])
        self.pending.removeFirst(headEnd! + 4)
        let lines = String(decoding: headBytes, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ClientError.malformed(lines[0])
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformed(line) }
            headers.add(
                name: String(line[..<colon]),
                value: String(line[line.index(after: colon)...]).trimmingCharacters(in: " "))
        }
        if status < 200 && status != 101 {
            return Reply(status: status, headers: headers, body: [])
        }
        let length = headRequest || status == 204 || status == 304 ? 0 : Int(headers["Content-Length"] ?? "0") ?? 0
        while self.pending.count < length {
            guard try self.fill(timeout: remaining()) else { throw ClientError.closed }
        }
        let body = Array(self.pending[0..<length])
        self.pending.removeFirst(length)
        return Reply(status: status, headers: headers, body: body)
    }

    /// Sends `request` and reads the response.
    public func exchange(_ request: String, timeout: Duration = .seconds(10)) throws -> Reply {
        try self.send(request)
        return try self.readResponse(timeout: timeout)
    }

    /// Whether the server ends the connection within `timeout`, whatever bytes come first.
    public func isEventuallyClosed(timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do {
                guard try self.fill(timeout: deadline - .now) else { return true }
            } catch ClientError.timedOut {
                return false
            } catch {
                return true
            }
        }
        return false
    }

    /// Whether nothing at all (no byte, no close) arrives for `duration`.
    public func isSilent(for duration: Duration) -> Bool {
        guard self.pending.isEmpty else { return false }
        do {
            _ = try self.fill(timeout: duration)
            return false
        } catch ClientError.timedOut {
            return true
        } catch {
            return false
        }
    }

    /// Whether the server closes the connection cleanly (EOF, not a reset) within `timeout`,
    /// with no further bytes.
    public func isClosedByPeer(timeout: Duration = .seconds(10)) -> Bool {
        guard self.pending.isEmpty else { return false }
        do {
            return try !self.fill(timeout: timeout)
        } catch {
            return false
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard self.pending.count >= needle.count else { return nil }
        for index in 0...(self.pending.count - needle.count)
        where self.pending[index..<index + needle.count].elementsEqual(needle) {
            return index
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }

    fileprivate func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
