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

    /// Starts a thread that takes SIGTERM and SIGINT: the first one is handed to whoever waits
    /// on the returned function; a second one calls `onSecond` at once (to exit without
    /// waiting for the drain). A dedicated thread, so the second signal is taken however busy
    /// the process is.
    static func start(onSecond: @escaping @Sendable (Int32) -> Void) throws(SystemError) -> @Sendable () -> Int32 {
        let first = DispatchSemaphore(value: 0)
        let received = SignalBox()
        try ThreadSpawner.spawn(stackSize: 64 << 10) {
            received.value = SignalWaiter.wait()
            first.signal()
            onSecond(SignalWaiter.wait())
        }
        return {
            first.wait()
            return received.value
        }
    }

    private final class SignalBox: @unchecked Sendable {
        /// Written once by the signal thread before it signals the semaphore.
        var value: Int32 = 0
    }

    /// Waits for SIGTERM or SIGINT and returns its number.
    static func wait() -> Int32 {
        var set = self.signals
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
