import Domain
import Testing

@Suite struct TimestampParsingTests {
    @Test(
        arguments: [
            ("2026-11-22T10:11:12Z", 1_795_342_272_000_000),
            ("2026-11-22t10:11:12z", 1_795_342_272_000_000),
            ("2026-11-22T10:11:12.5Z", 1_795_342_272_500_000),
            ("2026-11-22T10:11:12.123456Z", 1_795_342_272_123_456),
            ("2026-11-22T10:11:12.123456789Z", 1_795_342_272_123_456),
            ("2026-11-22T11:11:12+01:00", 1_795_342_272_000_000),
            ("2026-11-22T04:41:12.000001-05:30", 1_795_342_272_000_001),
            ("1970-01-01T00:00:00Z", 0),
            ("1969-12-31T23:59:59.999999Z", -1),
            ("2024-02-29T00:00:00Z", 1_709_164_800_000_000),
            ("2000-02-29T00:00:00Z", 951_782_400_000_000),
            ("0000-01-01T00:00:00Z", -62_167_219_200_000_000),
            ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
        ] as [(String, Int64)])
    func parsesRFC3339(text: String, microseconds: Int64) throws {
        #expect(try Timestamp(rfc3339: text) == Timestamp(microseconds: microseconds))
    }

    @Test(
        arguments: [
            0, -1, 1, 1_795_342_272_123_456, -62_167_219_200_000_000, 253_402_300_799_999_999, 951_782_400_000_000,
        ] as [Int64])
    func readsBackItsDescription(microseconds: Int64) throws {
        let time = Timestamp(microseconds: microseconds)
        #expect(try Timestamp(rfc3339: time.description) == time)
    }

    @Test(arguments: [
        "", "2026-11-22", "2026-11-22T10:11Z", "2026-11-22 10:11:12Z", "2026-11-22T10:11:12", "2026-11-22T10:11:12.Z",
        "2026-11-22T10:11:12.1234567890Z", "2026-11-22T10:11:12+0100", "2026-11-22T10:11:12+01", "26-11-22T10:11:12Z",
        "2026-11-22T10:11:12Zx", " 2026-11-22T10:11:12Z", "2026-1-22T10:11:12Z", "+2026-11-22T10:11:12Z",
        "2026-11-22T10:11:12+24:00", "2026-11-22T10:11:12-01:60", "２026-11-22T10:11:12Z",
    ])
    func refusesMalformedTimes(text: String) {
        #expect(throws: DomainError.invalidInput("time must be RFC 3339, such as 2026-11-22T10:11:12Z")) {
            try Timestamp(rfc3339: text)
        }
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
        "2026-12-31T23:59:60Z",
    ])
    func refusesImpossibleDates(text: String) {
        #expect(throws: DomainError.invalidInput("time is not a valid date and time of day")) {
            try Timestamp(rfc3339: text)
        }
    }

    @Test(arguments: ["0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01"])
    func refusesTimesOutsideTheWritableYears(text: String) {
        #expect(throws: DomainError.invalidInput("time must be between the years 0000 and 9999 in UTC")) {
            try Timestamp(rfc3339: text)
        }
    }

    @Test(
        arguments: [
            ("120", 120_000_000), ("0", 0), ("90s", 90_000_000), ("15m", 900_000_000), ("2h", 7_200_000_000),
            ("7d", 604_800_000_000), ("007s", 7_000_000), ("106751991d", 9_223_372_022_400_000_000),
        ] as [(String, Int64)])
    func parsesDurations(text: String, microseconds: Int64) throws {
        #expect(try Timestamp.parseDuration(text) == microseconds)
    }

    @Test(arguments: [
        ("", "duration is empty"),
        ("-5m", "duration must not be negative"),
        ("-", "duration must not be negative"),
        ("106751992d", "duration is too long"),
        ("9223372036855s", "duration is too long"),
        ("99999999999999999999", "duration is too long"),
    ])
    func refusesBadDurations(text: String, message: String) {
        #expect(throws: DomainError.invalidInput(message)) { try Timestamp.parseDuration(text) }
    }

    @Test(arguments: ["s", "1w", "1.5h", "+5m", " 5m", "5 m", "5mm", "1h30m", "5M", "m5", "١٢"])
    func refusesDurationsWithoutAWholeNumberAndUnit(text: String) {
        #expect(
            throws: DomainError.invalidInput(
                "duration must be a whole number of seconds, or a whole number followed by s, m, h or d, such as 15m")
        ) { try Timestamp.parseDuration(text) }
    }
}
