import Domain

/// How the pages write sizes, times and durations.
enum Format {
    /// `512 B`, `12.3 kB`, `1.2 MB` (powers of 1000, as the byte counts people compare with).
    static func size(_ bytes: Int64) -> String {
        if bytes < 1000 { return "\(bytes) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 999.95, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`: the two largest units of a duration in microseconds.
    static func duration(_ microseconds: Int64) -> String {
        let seconds = max(0, microseconds / 1_000_000)
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min"
        case ..<86_400:
            let minutes = seconds / 60 % 60
            return minutes == 0 ? "\(seconds / 3600) h" : "\(seconds / 3600) h \(minutes) min"
        default:
            let hours = seconds / 3600 % 24
            return hours == 0 ? "\(seconds / 86_400) d" : "\(seconds / 86_400) d \(hours) h"
        }
    }

    /// `3 h 5 min ago`.
    static func ago(_ time: Timestamp, now: Timestamp) -> String {
        duration(now.microseconds - time.microseconds) + " ago"
    }

    /// `2026-12-06 11:42:10 UTC`.
    static func time(_ time: Timestamp) -> String {
        let text = time.description
        return text.prefix(10) + " " + text.dropFirst(11).prefix(8) + " UTC"
    }
}
