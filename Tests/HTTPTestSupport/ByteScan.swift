import Foundation
import Gzip

/// Looking for plain text in stored bytes: a database file, its log, a stored blob.
public enum ByteScan {
    /// Every gzip stream that begins somewhere in `bytes` and inflates, inflated.
    public static func inflatedStreams(in bytes: [UInt8]) -> [[UInt8]] {
        var found: [[UInt8]] = []
        var start = 0
        while let index = self.index(of: [0x1F, 0x8B, 0x08], in: bytes, from: start) {
            if let inflated = try? Gzip.decompress(Array(bytes[index...]), limit: 1 << 20) { found.append(inflated) }
            start = index + 1
        }
        return found
    }

    /// Whether `needle` occurs in `haystack`.
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        self.index(of: needle, in: haystack, from: 0) != nil
    }

    /// Where `needle` first occurs in `haystack` at or after `start` (memchr and memcmp: the debug
    /// build's generic loops would take minutes over a database file).
    public static func index(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                var offset = start
                while offset + pin.count <= hay.count {
                    guard let hit = memchr(hay.baseAddress! + offset, Int32(pin[0]), hay.count - offset - pin.count + 1)
                    else { return nil }
                    let found = hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, pin.baseAddress!, pin.count) == 0 { return found }
                    offset = found + 1
                }
                return nil
            }
        }
    }

    /// The file's bytes, empty when it does not exist.
    public static func fileBytes(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while case let count = fread(&chunk, 1, chunk.count, file), count > 0 { bytes += chunk[0..<count] }
        return bytes
    }
}
