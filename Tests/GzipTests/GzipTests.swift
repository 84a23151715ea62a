import Gzip
import Testing

@Suite struct GzipTests {
    @Test(arguments: [0, 1, 100, 70_000, 3_000_000])
    func roundTrips(size: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let text = (0..<size).map { _ in UInt8.random(in: 0x61...0x66, using: &generator) }
        let compressed = try Gzip.compress(text)
        #expect(compressed.starts(with: [0x1F, 0x8B]), "a gzip member, servable as Content-Encoding: gzip")
        #expect(try Gzip.decompress(compressed) == text)
        #expect(try Gzip.decompress(compressed, sizeHint: size) == text)
    }

    @Test func refusesToInflatePastTheLimit() throws {
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 10_000_000), level: 9)
        #expect(bomb.count < 20_000)
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(bomb, limit: 1_000_000) }
    }

    @Test func rejectsCorruptAndTruncatedData() throws {
        let good = try Gzip.compress(Array(String(repeating: "terraform ", count: 1000).utf8))
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array(good.dropLast(20))) }
        var corrupt = good
        corrupt[20] ^= 0xFF
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(corrupt) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array("plain".utf8)) }
    }
}
