import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Blocking socket operations with poll-based timeouts. Every call goes through ``syscall(_:_:)``.
enum Socket {
    /// The outcome of waiting for input.
    enum ReadResult: Equatable {
        /// This many bytes were read.
        case data(Int)
        /// The peer closed its side (or reset the connection).
        case closed
        /// Nothing arrived in time.
        case timedOut
    }

    /// Creates a listening socket bound to `address`.
    static func listen(on address: SocketAddress, backlog: Int32) throws(SystemError) -> Int32 {
        let fd = try syscall("socket") {
            socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            try self.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if address.family == AF_INET6 {
                // One socket per family, so "::" never also claims IPv4.
                try self.setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1)
            }
            _ = try address.withSockAddr { (pointer, length) throws(SystemError) in
                try syscall("bind") { bind(fd, pointer, length) }
            }
            _ = try syscall("listen") { Glibc.listen(fd, backlog) }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        return fd
    }

    /// Accepts one connection, returning its descriptor and peer address.
    static func accept(_ listener: Int32) throws(SystemError) -> (Int32, SocketAddress) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = try withUnsafeMutableBytes(of: &storage) { (raw) throws(SystemError) in
            try syscall("accept") {
                Glibc.accept(listener, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
        do {
            _ = try syscall("fcntl") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        return (fd, SocketAddress(storage: storage, length: length))
    }

    /// Sets an integer socket option.
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SystemError) {
        var value = value
        _ = try syscall("setsockopt") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Sets `SO_SNDTIMEO`, so a blocked write gives up with `EAGAIN` after `timeout`.
    static func setSendTimeout(_ fd: Int32, _ timeout: Duration) throws(SystemError) {
        var value = timeout.timeval
        _ = try syscall("setsockopt") {
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// Waits up to `timeout` for `fd` to become readable, then reads.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(SystemError)
        -> ReadResult
    {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = try syscall("poll") { poll(&descriptor, 1, timeout.pollMilliseconds) }
        if ready == 0 {
            return .timedOut
        }
        do {
            let count = try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            return count == 0 ? .closed : .data(count)
        } catch  where error.code == ECONNRESET {
            return .closed
        }
    }

    /// Whether input (or the peer's close) is waiting on `fd`, without waiting or consuming it.
    static func hasInput(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) >= 0
    }

    /// Writes `head` then `body` within `timeout`, with as few `writev` calls as the kernel allows.
    ///
    /// The socket's `SO_SNDTIMEO` must already be `timeout`; it is narrowed to what is left after
    /// a partial write (and restored afterwards), so a peer that reads a few bytes now and then
    /// cannot stretch one response beyond `timeout`.
    static func write(_ fd: Int32, _ head: [UInt8], _ body: [UInt8] = [], timeout: Duration) throws(SystemError) {
        let result = head.withUnsafeBytes { head in
            body.withUnsafeBytes { body in
                Result { () throws(SystemError) in try self.write(fd, [head, body], timeout: timeout) }
            }
        }
        try result.get()
    }

    /// Writes every byte of `parts`, in order, within `timeout` (see the other `write`).
    static func write(_ fd: Int32, _ parts: [UnsafeRawBufferPointer], timeout: Duration) throws(SystemError) {
        let deadline = ContinuousClock.now + timeout
        var narrowed = false
        defer { if narrowed { try? self.setSendTimeout(fd, timeout) } }
        var vectors = parts.filter { $0.count > 0 }.map {
            iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
        }
        var first = 0
        while first < vectors.count {
            let written = try vectors[first...].withUnsafeBufferPointer { (pointer) throws(SystemError) in
                try syscall("writev") { writev(fd, pointer.baseAddress, Int32(pointer.count)) }
            }
            var remaining = written
            while first < vectors.count && remaining >= vectors[first].iov_len {
                remaining -= vectors[first].iov_len
                first += 1
            }
            if remaining > 0 {
                vectors[first].iov_base = vectors[first].iov_base.advanced(by: remaining)
                vectors[first].iov_len -= remaining
            }
            if first < vectors.count {
                let left = deadline - .now
                guard left > .zero else { throw SystemError(call: "writev", code: EAGAIN) }
                try self.setSendTimeout(fd, left)
                narrowed = true
            }
        }
    }

    /// Prepares to close a connection the server is ending, so that the peer can read the last
    /// response: stops sending, then reads and discards what the peer still sends, until it
    /// closes or `duration` passes. Closing with unread input would send a reset that can destroy
    /// the response in flight. The caller closes the descriptor.
    static func linger(_ fd: Int32, for duration: Duration) {
        _ = try? syscall("shutdown") { shutdown(fd, Int32(SHUT_WR)) }
        let deadline = ContinuousClock.now + duration
        // On the stack: a server turning many clients away lingers on each of them.
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 16) { scratch in
            var discarded = 0
            while discarded < 1 << 22 {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { break }
                guard case .data(let count)? = try? self.read(fd, into: scratch, timeout: left) else {
                    break
                }
                discarded += count
            }
        }
    }
}
