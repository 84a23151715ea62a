import Dispatch
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns SIGTERM and SIGINT into ordinary events: the signals are blocked in every thread and
/// taken synchronously with sigwait(2), so no code runs in signal-handler context.
enum SignalWaiter {
    private static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }

    /// Blocks SIGTERM and SIGINT in the calling thread and in every thread started after it.
    /// Call before any other thread starts.
    static func blockShutdownSignals() {
        var set = self.signals
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Starts a thread that takes SIGTERM and SIGINT: the first one calls `first`, a second one
    /// `second`, each with the signal's name. A dedicated thread, so the second signal is taken
    /// however busy the process is.
    static func start(
        first: @escaping @Sendable (String) -> Void, second: @escaping @Sendable (String) -> Void
    ) throws(SystemError) {
        try ThreadSpawner.spawn(stackSize: 64 << 10) {
            first(SignalWaiter.name(SignalWaiter.wait()))
            second(SignalWaiter.name(SignalWaiter.wait()))
        }
    }

    /// `SIGTERM` or `SIGINT`.
    static func name(_ signal: Int32) -> String { signal == SIGTERM ? "SIGTERM" : "SIGINT" }

    /// Waits for SIGTERM or SIGINT and returns its number.
    static func wait() -> Int32 {
        var set = self.signals
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
