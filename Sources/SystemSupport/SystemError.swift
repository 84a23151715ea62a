#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call: which call, and the `errno` it left.
package struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name of the call that failed, for example `"accept4"`.
    package let call: String
    /// The `errno` value read right after the call returned.
    package let code: Int32

    /// Creates an error for `call` with the given `errno` value.
    package init(call: String, code: Int32) {
        self.call = call
        self.code = code
    }

    /// `true` when the call failed because its timeout (`SO_RCVTIMEO`/`SO_SNDTIMEO`) expired.
    package var isTimeout: Bool { self.code == EAGAIN || self.code == EWOULDBLOCK }

    /// `"accept4: Too many open files (errno 24)"`.
    package var description: String {
        "\(self.call): \(String(cString: strerror(self.code))) (errno \(self.code))"
    }
}

/// Runs a system call that returns `-1` and sets `errno` on failure.
///
/// `errno` is read at once, `EINTR` is retried, and any other failure is thrown as a typed
/// ``SystemError``. Every call in this module goes through here, except `close(2)`, which must
/// never be retried on Linux (the descriptor is already released when it reports `EINTR`).
@inline(__always)
package func syscall<T: FixedWidthInteger>(_ call: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 {
            return result
        }
        let code = errno
        if code == EINTR {
            continue
        }
        throw SystemError(call: call, code: code)
    }
}

/// Closes a descriptor exactly once; `EINTR` is not retried (see ``syscall(_:_:)``).
@inline(__always)
package func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
