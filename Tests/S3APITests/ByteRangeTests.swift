import Testing

@testable import S3API

/// `Range` as S3 reads it.
struct ByteRangeTests {
    @Test func oneRangeIsServedAndTheRestIsTheWholeObject() {
        #expect(ByteRange(header: "bytes=0-5242879", size: 100) == .partial(0...99))
        #expect(ByteRange(header: "bytes=0-9", size: 100) == .partial(0...9))
        #expect(ByteRange(header: "bytes=90-", size: 100) == .partial(90...99))
        #expect(ByteRange(header: "bytes=-10", size: 100) == .partial(90...99))
        #expect(ByteRange(header: "bytes=-1000", size: 100) == .partial(0...99))
        #expect(ByteRange(header: "bytes=99-99", size: 100) == .partial(99...99))
        #expect(ByteRange(header: nil, size: 100) == .whole)
        #expect(ByteRange(header: "bytes=0-1,5-6", size: 100) == .whole)
        #expect(ByteRange(header: "items=0-1", size: 100) == .whole)
        #expect(ByteRange(header: "bytes=5-1", size: 100) == .whole)
        #expect(ByteRange(header: "bytes=x-1", size: 100) == .whole)
        #expect(ByteRange(header: "bytes=99999999999999999999-", size: 100) == .whole)
    }

    @Test func aRangePastTheEndIsUnsatisfiable() {
        #expect(ByteRange(header: "bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=100-200", size: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=-5", size: 0) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=-0", size: 10) == .unsatisfiable)
    }
}
