import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A connected stream of bytes: a plain TCP socket or TLS over one.
package protocol ByteStream: AnyObject {
    /// Writes every byte of `bytes`.
    func write(_ bytes: [UInt8]) throws(TransportError)
    /// Reads at most `buffer.count` bytes; returns 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int
}

/// A failure to connect, send or receive; the client reports it as "cannot reach".
package struct TransportError: Error, CustomStringConvertible {
    /// What went wrong, such as `connect to 127.0.0.1:8080: Connection refused`.
    package let description: String

    package init(_ description: String) { self.description = description }

    /// `"<call>: <strerror(code)>"`.
    package static func system(_ call: String, _ code: Int32) -> TransportError {
        TransportError("\(call): \(String(cString: strerror(code)))")
    }
}

/// A blocking TCP connection with send and receive timeouts; closed when released.
package final class TCPConnection: ByteStream {
    /// The socket descriptor.
    package let fd: Int32
    private let timeout: Duration

    private init(fd: Int32, timeout: Duration) {
        self.fd = fd
        self.timeout = timeout
    }

    deinit { close(self.fd) }

    /// Resolves `host` (a name, or an IPv4 or IPv6 literal) and connects to its addresses in the
    /// resolver's order until one answers, within `timeout` in all.
    package static func connect(host: String, port: Int, timeout: Duration) throws(TransportError) -> TCPConnection {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let result = getaddrinfo(host, String(port), &hints, &list)
        guard result == 0, let first = list else {
            throw TransportError("cannot resolve \(host): \(String(cString: gai_strerror(result)))")
        }
        defer { freeaddrinfo(list) }
        let deadline = ContinuousClock.now + timeout
        var failure = TransportError("no address for \(host)")
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            do {
                return try self.connect(to: entry.pointee, deadline: deadline, timeout: timeout)
            } catch {
                failure = error
            }
        }
        throw failure
    }

    /// Connects to one resolved address: non-blocking `connect`, `poll` until `deadline`, then back
    /// to blocking with `SO_RCVTIMEO`/`SO_SNDTIMEO` set to `timeout`.
    private static func connect(to address: addrinfo, deadline: ContinuousClock.Instant, timeout: Duration)
        throws(TransportError) -> TCPConnection
    {
        let fd = socket(address.ai_family, address.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
        guard fd >= 0 else { throw TransportError.system("socket", errno) }
        let connection = TCPConnection(fd: fd, timeout: timeout)
        let name = TCPConnection.numericName(address)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, address.ai_addr, address.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw TransportError.system("connect to \(name)", errno) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            while true {
                let left = deadline - .now
                let ready = left > .zero ? poll(&descriptor, 1, left.pollMilliseconds) : 0
                if ready > 0 { break }
                if ready == 0 { throw TransportError("connect to \(name): timed out after \(seconds(timeout))") }
                if errno != EINTR { throw TransportError.system("poll", errno) }
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            guard code == 0 else { throw TransportError.system("connect to \(name)", code) }
        }
        _ = fcntl(fd, F_SETFL, flags)
        var value = timeout.timeval
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            _ = setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
        }
        return connection
    }

    /// `127.0.0.1:8080` or `[::1]:8080`.
    private static func numericName(_ address: addrinfo) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        guard
            getnameinfo(
                address.ai_addr, address.ai_addrlen, &host, socklen_t(host.count), &service,
                socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV) == 0
        else { return "?" }
        let hostText = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let serviceText = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return address.ai_family == AF_INET6 ? "[\(hostText)]:\(serviceText)" : "\(hostText):\(serviceText)"
    }

    package func write(_ bytes: [UInt8]) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Result { () throws(SystemError) in
                    try syscall("send") {
                        send(self.fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            switch sent {
            case .success(let count):
                offset += count
            case .failure(let error) where error.isTimeout:
                throw TransportError("sending the request timed out after \(seconds(self.timeout))")
            case .failure(let error):
                throw TransportError.system(error.call, error.code)
            }
        }
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int {
        do {
            return try syscall("recv") { recv(self.fd, buffer.baseAddress, buffer.count, 0) }
        } catch  where error.isTimeout {
            throw TransportError("no answer within \(seconds(self.timeout))")
        } catch {
            throw TransportError.system(error.call, error.code)
        }
    }
}

/// `30 s` or `0.2 s`, for messages.
package func seconds(_ duration: Duration) -> String {
    let (wholeSeconds, attoseconds) = duration.components
    let tenths = attoseconds / 100_000_000_000_000_000
    return tenths == 0 ? "\(wholeSeconds) s" : "\(wholeSeconds).\(tenths) s"
}
