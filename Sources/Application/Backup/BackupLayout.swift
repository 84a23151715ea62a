import Domain

/// Where each file of a backup lives and how large each may be (docs/backup-format.md).
///
/// A state's files are in `states/<name>/@live/` or, for the k-th deleted state of that name
/// (oldest first), `states/<name>/@deleted-<k>/`: `state.json` and one `<number>.tfstate` for
/// each version whose bytes were not purged. `@` cannot appear in a state name, so `a/b` and
/// `a/b/c` never share a directory.
enum BackupLayout {
    /// The `format` a manifest names.
    static let format = "statehouse-backup"
    /// The version of the format written; import reads only this one.
    static let formatVersion: Int64 = 1

    static let manifest = "manifest.json"
    static let audit = "audit.jsonl"
    static let tokens = "tokens.jsonl"

    /// The largest manifest read (about 400,000 files).
    static let maxManifestBytes = 64 << 20
    /// The most files a manifest may list.
    static let maxFiles = 1_000_000
    /// The largest `state.json` read (tens of thousands of versions).
    static let maxStateFileBytes = 16 << 20
    /// The largest version body read.
    static let maxVersionBytes: Int64 = 1 << 30
    /// The largest `audit.jsonl` read.
    static let maxAuditBytes = 1 << 30
    /// The largest `tokens.jsonl` read.
    static let maxTokenFileBytes = 16 << 20
    /// The longest line of a `.jsonl` file.
    static let maxLineBytes = 1 << 20
    /// The deepest JSON nesting read (the format needs four).
    static let maxDepth = 8

    /// The directory of a state: its live entry, or the `deleted`-th deleted one of its name.
    static func directory(of name: StateName, deleted: Int?) -> String {
        "states/\(name)/" + (deleted.map { "@deleted-\($0)" } ?? "@live")
    }

    /// What a path listed in a manifest holds, or `nil` when it is not one this format writes.
    enum File: Equatable {
        case audit
        case tokens
        /// The `state.json` in `directory`.
        case state(directory: String)
        /// Version `number`'s body in `directory`.
        case version(directory: String, number: Int64)
    }

    /// Reads `path` exactly as this format writes it: nothing else, so no `..`, no absolute path
    /// and no name that is not a valid state name ever reaches the file system.
    static func file(at path: String) -> File? {
        if path == Self.audit { return .audit }
        if path == Self.tokens { return .tokens }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 4, segments[0] == "states" else { return nil }
        let entry = segments[segments.count - 2]
        guard entry == "@live" || entry.hasPrefix("@deleted-") && Self.counter(entry.dropFirst(9)) != nil,
            (try? StateName(segments[1..<(segments.count - 2)].joined(separator: "/"))) != nil
        else { return nil }
        let directory = segments.dropLast().joined(separator: "/")
        let last = segments[segments.count - 1]
        if last == "state.json" { return .state(directory: directory) }
        guard last.hasSuffix(".tfstate"), let number = Self.counter(last.dropLast(8)) else { return nil }
        return .version(directory: directory, number: number)
    }

    /// A positive number written without a sign or leading zero.
    private static func counter(_ text: Substring) -> Int64? {
        guard let first = text.first, first != "0", text.allSatisfy({ $0.isASCII && $0.isNumber }),
            let number = Int64(text)
        else {
            return nil
        }
        return number > 0 ? number : nil
    }
}
