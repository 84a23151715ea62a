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

    /// Parses an RFC 3339 time such as `2026-11-22T10:11:12Z` or `2026-11-22T11:11:12.5+01:00`.
    /// A fraction may have up to 9 digits; digits beyond microseconds are dropped. Reads back
    /// what `description` writes.
    public init(rfc3339 text: String) throws(DomainError) {
        let invalid = DomainError.invalidInput("time must be RFC 3339, such as 2026-11-22T10:11:12Z")
        var cursor = TextCursor(text)
        guard let year = cursor.number(digits: 4), cursor.skip("-"), let month = cursor.number(digits: 2),
            cursor.skip("-"), let day = cursor.number(digits: 2), cursor.skip("T", "t"),
            let hour = cursor.number(digits: 2), cursor.skip(":"), let minute = cursor.number(digits: 2),
            cursor.skip(":"), let second = cursor.number(digits: 2)
        else { throw invalid }
        var fraction: Int64 = 0
        if cursor.skip(".") {
            let digits = cursor.digits()
            guard (1...9).contains(digits.count) else { throw invalid }
            fraction = (digits + Array(repeating: 0, count: 6)).prefix(6).reduce(0) { $0 * 10 + $1 }
        }
        var offset: Int64 = 0
        if !cursor.skip("Z", "z") {
            let sign: Int64 = cursor.skip("+") ? 1 : cursor.skip("-") ? -1 : 0
            guard sign != 0, let hours = cursor.number(digits: 2), hours < 24, cursor.skip(":"),
                let minutes = cursor.number(digits: 2), minutes < 60
            else { throw invalid }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard cursor.atEnd else { throw invalid }
        guard (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60, second < 60
        else { throw DomainError.invalidInput("time is not a valid date and time of day") }
        let seconds =
            Timestamp.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        // Years 0000 to 9999 in UTC: what `description` can write.
        guard seconds >= Timestamp.days(year: 0, month: 1, day: 1) * 86_400,
            seconds < Timestamp.days(year: 10_000, month: 1, day: 1) * 86_400
        else { throw DomainError.invalidInput("time must be between the years 0000 and 9999 in UTC") }
        self.init(microseconds: seconds * 1_000_000 + fraction)
    }

    /// Microseconds in a span written as a whole number of seconds (`120`) or a whole number
    /// with a unit: `90s`, `15m`, `2h`, `7d`.
    public static func parseDuration(_ text: String) throws(DomainError) -> Int64 {
        let bytes = Array(text.utf8)
        guard let last = bytes.last else { throw DomainError.invalidInput("duration is empty") }
        guard bytes.first != UInt8(ascii: "-") else { throw DomainError.invalidInput("duration must not be negative") }
        let unit: Int64? =
            switch last {
            case UInt8(ascii: "s"), UInt8(ascii: "0")...UInt8(ascii: "9"): 1_000_000
            case UInt8(ascii: "m"): 60_000_000
            case UInt8(ascii: "h"): 3_600_000_000
            case UInt8(ascii: "d"): 86_400_000_000
            default: nil
            }
        let digits = isDigit(last) ? bytes[...] : bytes.dropLast()
        guard let unit, !digits.isEmpty, digits.allSatisfy(isDigit) else {
            throw DomainError.invalidInput(
                "duration must be a whole number of seconds, or a whole number followed by s, m, h or d, such as 15m")
        }
        var total: Int64 = 0
        for digit in digits {
            let (tens, overflowTens) = total.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = tens.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflowTens, !overflowSum else { throw DomainError.invalidInput("duration is too long") }
            total = sum
        }
        let (microseconds, overflow) = total.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw DomainError.invalidInput("duration is too long") }
        return microseconds
    }

    /// Days in `month` of `year` in the proleptic Gregorian calendar.
    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A proleptic Gregorian date to days since the epoch (Howard Hinnant's algorithm).
    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
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

/// Reads ASCII fields from the front of a text.
private struct TextCursor {
    let bytes: [UInt8]
    var index = 0

    init(_ text: String) { self.bytes = Array(text.utf8) }

    var atEnd: Bool { self.index == self.bytes.count }

    /// Consumes the next byte if it is one of `characters`.
    mutating func skip(_ characters: Unicode.Scalar...) -> Bool {
        guard !self.atEnd, characters.contains(where: { $0.value == UInt32(self.bytes[self.index]) }) else {
            return false
        }
        self.index += 1
        return true
    }

    /// Consumes a run of digits, returning their values.
    mutating func digits() -> [Int64] {
        var values: [Int64] = []
        while !self.atEnd, isDigit(self.bytes[self.index]) {
            values.append(Int64(self.bytes[self.index] - UInt8(ascii: "0")))
            self.index += 1
        }
        return values
    }

    /// Consumes exactly `digits` digits as a number.
    mutating func number(digits count: Int) -> Int64? {
        guard self.index + count <= self.bytes.count, self.bytes[self.index..<self.index + count].allSatisfy(isDigit)
        else { return nil }
        defer { self.index += count }
        return self.bytes[self.index..<self.index + count].reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
    }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
