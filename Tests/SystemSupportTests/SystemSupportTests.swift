import Testing

@testable import SystemSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct HexTests {
    @Test func encodesTwoLowercaseDigitsPerByte() {
        #expect(Hex.encode([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hex.encode([UInt8]()) == "")
    }

    @Test func decodesEitherCaseAndRoundTrips() {
        #expect(Hex.decode("000fA0fF") == [0x00, 0x0F, 0xA0, 0xFF])
        let bytes = (0..<256).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
    }

    @Test(arguments: ["abc", "zz", "0g", " 0"])
    func refusesWhatIsNotHex(text: String) {
        #expect(Hex.decode(text) == nil)
    }
}

@Suite struct Base64Tests {
    @Test func encodesPaddedAndUnpadded() {
        #expect(Base64.encode(Array("ci:pw".utf8)) == "Y2k6cHc=")
        #expect(Base64.encode(Array("ci:pw".utf8), padded: false) == "Y2k6cHc")
        // MD5 of the empty body, as Terraform sends it in Content-MD5.
        let md5: [UInt8] = [
            0xD4, 0x1D, 0x8C, 0xD9, 0x8F, 0x00, 0xB2, 0x04, 0xE9, 0x80, 0x09, 0x98, 0xEC, 0xF8, 0x42, 0x7E,
        ]
        #expect(Base64.encode(md5) == "1B2M2Y8AsgTpgAmY7PhCfg==")
    }

    @Test func decodesPaddedAndUnpaddedAndRefusesGarbage() {
        #expect(Base64.decode("Y2k6cHc=") == Array("ci:pw".utf8))
        #expect(Base64.decode("Y2k6cHc") == Array("ci:pw".utf8))
        #expect(Base64.decode("Y2k6c") == nil)
        #expect(Base64.decode("Y2k*cHc=") == nil)
    }
}

@Suite struct DurationConversionTests {
    @Test func pollMillisecondsRoundUpAndNeverGoNegative() {
        #expect(Duration.microseconds(1).pollMilliseconds == 1)
        #expect(Duration.milliseconds(1500).pollMilliseconds == 1500)
        #expect(Duration.microseconds(1_500_001).pollMilliseconds == 1501)
        #expect(Duration.zero.pollMilliseconds == 0)
        #expect(Duration.milliseconds(-5).pollMilliseconds == 0)
        #expect(Duration.seconds(Int64.max / 1000).pollMilliseconds == Int32.max)
    }

    @Test func wholeUnitsRoundDown() {
        let duration = Duration.microseconds(1_234_567)
        #expect(duration.milliseconds == 1234)
        #expect(duration.microseconds == 1_234_567)
        #expect(duration.nanoseconds == 1_234_567_000)
        #expect(Duration.seconds(Int64.max).nanoseconds == Int.max)
        let value = duration.timeval
        #expect(value.tv_sec == 1 && value.tv_usec == 234_567)
    }
}

@Suite struct JSONStringTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(jsonStringLiteral("a\"b\\c\nd\re\tf\u{1F}g\u{7F}hé") == #""a\"b\\c\nd\re\tf\u001fg\#u{7F}hé""#)
    }
}

@Suite struct FileIOTests {
    @Test func writesAndReadsAWholeFile() throws {
        let path = "/tmp/statehouse-fileio-\(UInt64.random(in: 1...UInt64.max))"
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try bytes.withUnsafeBytes { raw in try FileIO.writeAll(fd, raw) }
        close(fd)
        #expect(try FileIO.readAll(path) == bytes)
    }

    @Test func aMissingFileThrowsTheOpenError() {
        #expect(throws: SystemError(call: "open", code: ENOENT)) {
            try FileIO.readAll("/nonexistent/statehouse/file")
        }
    }
}

@Suite struct SyscallTests {
    @Test func throwsTheCallAndItsErrno() {
        #expect(throws: SystemError(call: "close", code: EBADF)) {
            try syscall("close") { close(-1) }
        }
    }
}
