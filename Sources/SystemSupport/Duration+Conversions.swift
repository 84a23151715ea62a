import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Duration {
    /// Whole milliseconds, rounded up so that a wait never ends early, clamped to `Int32` and to
    /// 0 for negative durations: the timeout poll(2) takes.
    package var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = self.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// Whole milliseconds, rounded down (for settings such as SQLite's busy timeout).
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole microseconds, rounded down.
    package var microseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// Whole nanoseconds, rounded down and clamped to `Int`.
    package var nanoseconds: Int {
        let (seconds, attoseconds) = self.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return Int(clamping: product + attoseconds / 1_000_000_000)
    }

    /// The `timeval` of `SO_RCVTIMEO` and `SO_SNDTIMEO`.
    package var timeval: timeval {
        let (seconds, attoseconds) = self.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    /// The Dispatch deadline this long from now, for semaphore and group waits.
    package var fromNow: DispatchTime {
        .now() + .nanoseconds(self.nanoseconds)
    }
}
