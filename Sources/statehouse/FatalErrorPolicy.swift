#if canImport(Glibc)
    import Glibc
#endif

/// How a fatal error ends the server: at once, so that a supervisor restarts it.
///
/// A Swift runtime error (an allocation that fails under a memory limit, a failed check) aborts
/// the process. Before it ends, the Swift runtime runs its crash reporter, `swift-backtrace`,
/// whenever it finds one (next to a dynamically linked runtime, as in a toolchain install, or
/// next to the binary): that stops every thread and symbolicates each, about a third of a second
/// per thread, and the process neither serves nor exits meanwhile (measured: 99.8 s with 309
/// threads; on a terminal it also waits 30 s for a key).
/// `serve` therefore runs with `SWIFT_BACKTRACE=enable=no` unless its environment sets
/// `SWIFT_BACKTRACE`: the runtime itself prints the error and the failing thread's stack
/// (addresses, to symbolicate offline with the unstripped binary) and the process ends.
enum FatalErrorPolicy {
    static let variable = "SWIFT_BACKTRACE"
    static let setting = "enable=no"

    /// Runs this process again with `SWIFT_BACKTRACE=enable=no` when the environment does not set
    /// `SWIFT_BACKTRACE` (the runtime reads it only at startup, hence the exec: same pid,
    /// arguments and descriptors). Returns when it is set already, or when the exec fails, which
    /// is reported on standard error (the process then keeps the runtime's defaults).
    static func apply() {
        guard getenv(Self.variable) == nil else { return }
        setenv(Self.variable, Self.setting, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        unsetenv(Self.variable)
        let message =
            "statehouse: cannot run again with \(Self.variable)=\(Self.setting) (\(reason)); a fatal error may "
            + "wait for the crash reporter before the process ends: set \(Self.variable) yourself\n"
        _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }
}
