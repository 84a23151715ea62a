/// A point in time: microseconds since 1970-01-01T00:00:00Z.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since the Unix epoch.
    public let microseconds: Int64

    /// Creates a timestamp.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// Orders by time.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// RFC 3339 in UTC with microseconds: `2026-11-22T10:11:12.123456Z`.
    public var description: String {
        let seconds = self.microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        let fraction = seconds.remainder < 0 ? seconds.remainder + 1_000_000 : seconds.remainder
        let whole = seconds.remainder < 0 ? seconds.quotient - 1 : seconds.quotient
        let days = whole.quotientAndRemainder(dividingBy: 86_400)
        let dayNumber = days.remainder < 0 ? days.quotient - 1 : days.quotient
        let secondOfDay = days.remainder < 0 ? days.remainder + 86_400 : days.remainder
        let (year, month, day) = Timestamp.civil(fromDays: dayNumber)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// Days since the epoch to a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
