import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 socket address.
public struct SocketAddress: Sendable, CustomStringConvertible {
    fileprivate var storage: sockaddr_storage
    fileprivate var length: socklen_t

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// The address family (`AF_INET` or `AF_INET6`).
    public var family: Int32 { Int32(self.storage.ss_family) }

    /// The port number.
    public var port: Int {
        get {
            withUnsafeBytes(of: self.storage) { raw in
                if self.family == AF_INET6 {
                    return Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
                }
                return Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
            }
        }
        set {
            let port = UInt16(newValue).bigEndian
            let family = self.family
            withUnsafeMutableBytes(of: &self.storage) { raw in
                if family == AF_INET6 {
                    raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port = port
                } else {
                    raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port = port
                }
            }
        }
    }

    /// The numeric host, such as `127.0.0.1` or `::1`.
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: self.storage) { raw in
            if self.family == AF_INET6 {
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            } else {
                var address = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `127.0.0.1:8080` or `[::1]:8080`.
    public var description: String {
        self.family == AF_INET6 ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }

    /// Whether this is a loopback address (127.0.0.0/8 or ::1).
    public var isLoopback: Bool {
        withUnsafeBytes(of: self.storage) { raw in
            if self.family == AF_INET6 {
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                return withUnsafeBytes(of: &address) { $0.elementsEqual([UInt8](repeating: 0, count: 15) + [1]) }
            }
            return UInt32(bigEndian: raw.load(as: sockaddr_in.self).sin_addr.s_addr) >> 24 == 127
        }
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    func withSockAddr<R, E: Error>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R) throws(E) -> R {
        var storage = self.storage
        return try withUnsafeMutablePointer(to: &storage) { (pointer) throws(E) -> R in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(E) -> R in
                try body(address, self.length)
            }
        }
    }

    /// Resolves `host` for listening: `*` (or empty) means every IPv4 and IPv6 interface,
    /// `localhost` both loopback addresses (whatever /etc/hosts says), and any other name each
    /// of its addresses.
    public static func resolve(host: String, port: Int) throws(AddressError) -> [SocketAddress] {
        let hosts =
            switch host {
            case "*", "": ["0.0.0.0", "::"]
            case "localhost": ["127.0.0.1", "::1"]
            default: [host]
            }
        var addresses: [SocketAddress] = []
        for name in hosts {
            var hints = addrinfo()
            hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>? = nil
            let result = getaddrinfo(name, String(port), &hints, &list)
            guard result == 0, let first = list else {
                throw AddressError(host: name, reason: String(cString: gai_strerror(result)))
            }
            defer { freeaddrinfo(list) }
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                if entry.pointee.ai_family == AF_INET || entry.pointee.ai_family == AF_INET6 {
                    var storage = sockaddr_storage()
                    withUnsafeMutableBytes(of: &storage) { raw in
                        raw.copyMemory(
                            from: UnsafeRawBufferPointer(
                                start: entry.pointee.ai_addr, count: Int(entry.pointee.ai_addrlen)))
                    }
                    let address = SocketAddress(storage: storage, length: entry.pointee.ai_addrlen)
                    if !addresses.contains(where: { $0.description == address.description }) {
                        addresses.append(address)
                    }
                }
                cursor = entry.pointee.ai_next
            }
        }
        return addresses
    }

    /// The address `fd` is bound to.
    static func local(of fd: Int32) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutableBytes(of: &storage) { (raw) throws(SystemError) in
            try syscall("getsockname") {
                getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
        return SocketAddress(storage: storage, length: length)
    }
}

/// A listen address that could not be resolved.
public struct AddressError: Error, Sendable, CustomStringConvertible {
    /// The host that failed.
    public let host: String
    /// The resolver's explanation.
    public let reason: String

    /// `"cannot resolve 'nosuchhost': Name or service not known"`.
    public var description: String { "cannot resolve '\(self.host)': \(self.reason)" }
}
