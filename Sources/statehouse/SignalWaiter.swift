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

    /// Waits for SIGTERM or SIGINT and returns its number.
    static func wait() -> Int32 {
        var set = self.signals
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
