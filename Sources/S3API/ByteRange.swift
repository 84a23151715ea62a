/// A `Range: bytes=…` header as S3 reads it: one range (`a-b`, `a-`, `-n`) is served as 206 with
/// `Content-Range`, one that starts past the end is 416; anything else (several ranges, another
/// unit, a malformed value) is ignored and the whole object served, as S3 does.
enum ByteRange: Equatable {
    /// Serve these bytes.
    case partial(ClosedRange<Int>)
    /// Serve everything.
    case whole
    /// The range starts past the end: 416 `InvalidRange`.
    case unsatisfiable

    /// The range `header` asks of an object of `size` bytes.
    init(header: String?, size: Int) {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else {
            self = .whole
            return
        }
        let spec = header.dropFirst("bytes=".count).trimmingPrefix(" ")
        guard let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // The last n bytes.
            guard let suffix = Self.number(last), suffix > 0 else {
                self = last.isEmpty ? .whole : .unsatisfiable
                return
            }
            self = size == 0 ? .unsatisfiable : .partial(max(0, size - suffix)...(size - 1))
            return
        }
        guard let start = Self.number(first) else {
            self = .whole
            return
        }
        var end = size - 1
        if !last.isEmpty {
            guard let stated = Self.number(last), stated >= start else {
                self = .whole
                return
            }
            end = min(stated, size - 1)
        }
        self = start < size ? .partial(start...end) : .unsatisfiable
    }

    /// Digits as a number, `nil` for anything else or a number too large to be an offset.
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int(text)
    }
}
