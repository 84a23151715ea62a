#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Formats the `Date` header (IMF-fixdate), recomputing it at most once per second.
///
/// Each connection thread owns one, so no lock is needed.
public struct HTTPDate {
    private var second: time_t = -1
    private var cached = ""

    /// The current time as `Sun, 06 Nov 1994 08:49:37 GMT`.
    mutating func now() -> String {
        let current = time(nil)
        if current != self.second {
            self.second = current
            self.cached = HTTPDate.format(current)
        }
        return self.cached
    }

    /// `seconds` since the epoch as IMF-fixdate (`Last-Modified`, `Date`).
    public static func string(secondsSince1970 seconds: Int64) -> String {
        HTTPDate.format(time_t(seconds))
    }

    /// Formats `seconds` since the epoch as IMF-fixdate.
    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
