/// Pure text helpers for the human-readable output.
enum Format {
    /// Rows under a header, each column as wide as its widest cell, separated by two spaces;
    /// no trailing spaces.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += cell
                if column < row.count - 1 { line += String(repeating: " ", count: widths[column] - cell.count + 2) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// `key: value` lines with the values aligned.
    static func fields(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { key, value in
            key + ":" + String(repeating: " ", count: width - key.count + 2) + value
        }.joined(separator: "\n")
    }

    /// An age or duration, coarser as it grows: `45s`, `3m12s`, `2h05m`, `4d`.
    static func age(seconds: Int) -> String {
        let seconds = max(0, seconds)
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m\(twoDigits(seconds % 60))s"
        case ..<86400: return "\(seconds / 3600)h\(twoDigits(seconds % 3600 / 60))m"
        default: return "\(seconds / 86400)d"
        }
    }

    /// A byte count: `512 B`, `1.2 KiB`, `3.4 MiB`, `1.0 GiB`.
    static func size(_ bytes: Int) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = "KiB"
        for next in ["MiB", "GiB", "TiB"] where value >= 1024 {
            value /= 1024
            unit = next
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(unit)"
    }

    /// An RFC 3339 timestamp to the second: `2026-11-22T10:11:12.123456Z` → `2026-11-22 10:11:12Z`.
    static func timestamp(_ text: String) -> String {
        guard text.count >= 19 else { return text }
        let seconds = text.prefix(19).replacingFirst("T", with: " ")
        let zone = text.dropFirst(19).drop { $0 == "." || $0.isNumber }
        return seconds + zone
    }

    /// An ID shortened for a table: its first 8 characters and `…` when it is longer than 9
    /// (Terraform's lock IDs are 36-character UUIDs).
    static func shortID(_ id: String) -> String {
        id.count > 9 ? id.prefix(8) + "…" : id
    }

    /// `"-"` for a missing value.
    static func optional(_ value: (some CustomStringConvertible)?) -> String {
        value.map(\.description) ?? "-"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

extension Substring {
    /// The text with its first `target` replaced.
    fileprivate func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let index = self.firstIndex(of: target) else { return String(self) }
        return self[..<index] + replacement + self[self.index(after: index)...]
    }
}
