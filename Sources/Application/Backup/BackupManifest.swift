import Domain

/// `manifest.json`: what the backup is, what it holds, and the size and SHA-256 of every other
/// file. Written last, so a directory without one is an export that did not finish.
struct BackupManifest: Equatable {
    /// One file of the backup.
    struct Entry: Equatable {
        let path: String
        let size: Int64
        let sha256: [UInt8]
    }

    /// When the export read its snapshot.
    var createdAt: Timestamp
    /// The Statehouse that wrote it (`statehouse 0.1.0`).
    var producer: String
    /// What it holds.
    var counts: BackupCounts
    /// Every other file, in the order written.
    var files: [Entry]

    var json: [UInt8] {
        let counts = self.counts
        let text = BackupJSON.object([
            "format": BackupJSON.string(BackupLayout.format),
            "format_version": BackupJSON.number(BackupLayout.formatVersion),
            "created_at": BackupJSON.time(self.createdAt),
            "statehouse_version": BackupJSON.string(self.producer),
            "counts": BackupJSON.object([
                "states": BackupJSON.number(Int64(counts.states)),
                "deleted_states": BackupJSON.number(Int64(counts.deletedStates)),
                "versions": BackupJSON.number(Int64(counts.versions)),
                "purged_versions": BackupJSON.number(Int64(counts.purgedVersions)),
                "bytes": BackupJSON.number(counts.bytes),
                "audit_events": BackupJSON.number(Int64(counts.auditEvents)),
                "tokens": BackupJSON.number(Int64(counts.tokens)),
            ]),
            "files": BackupJSON.lines(
                self.files.map {
                    BackupJSON.object([
                        "path": BackupJSON.string($0.path), "size": BackupJSON.number($0.size),
                        "sha256": BackupJSON.hex($0.sha256),
                    ])
                }),
        ])
        return Array((text + "\n").utf8)
    }

    init(createdAt: Timestamp, producer: String, counts: BackupCounts, files: [Entry]) {
        self.createdAt = createdAt
        self.producer = producer
        self.counts = counts
        self.files = files
    }

    /// Reads a manifest: this format and version, every path one the format writes (once), every
    /// size within its bound.
    init(parsing bytes: [UInt8]) throws(ApplicationError) {
        let file = BackupLayout.manifest
        let object = try BackupObject(parsing: bytes, file: file)
        guard try object.string("format") == BackupLayout.format else {
            throw ApplicationError(
                .invalidInput, "\(file) is not a Statehouse backup's (format is not \"\(BackupLayout.format)\")")
        }
        let version = try object.number("format_version")
        guard version == BackupLayout.formatVersion else {
            throw ApplicationError(
                .invalidInput,
                "the backup is in format version \(version); this Statehouse reads version \(BackupLayout.formatVersion)"
            )
        }
        self.createdAt = try object.time("created_at")
        self.producer = try object.string("statehouse_version")
        let counts = try object.object("counts")
        func count(_ key: String) throws(ApplicationError) -> Int {
            let value = try counts.number(key)
            guard (0...Int64(Int32.max)).contains(value) else {
                throw ApplicationError(.invalidInput, "\(file): counts \"\(key)\" is out of range")
            }
            return Int(value)
        }
        self.counts = BackupCounts(
            states: try count("states"), deletedStates: try count("deleted_states"), versions: try count("versions"),
            purgedVersions: try count("purged_versions"), bytes: try counts.number("bytes"),
            auditEvents: try count("audit_events"), tokens: try count("tokens"))
        let listed = try object.array("files")
        guard listed.count <= BackupLayout.maxFiles else {
            throw ApplicationError(
                .invalidInput, "\(file) lists \(listed.count) files; at most \(BackupLayout.maxFiles) are read")
        }
        var seen: Set<String> = []
        self.files = []
        for element in listed {
            let entry = try BackupObject(element, file: file)
            let path = try entry.string("path")
            guard BackupLayout.file(at: path) != nil, seen.insert(path).inserted else {
                throw ApplicationError(
                    .invalidInput,
                    "\(file) lists \(jsonString(path)), which is not a file of this format or is listed twice")
            }
            let size = try entry.number("size")
            guard (0...BackupLayout.maxVersionBytes).contains(size) else {
                throw ApplicationError(.invalidInput, "\(file): \(path) has a size out of range")
            }
            self.files.append(Entry(path: path, size: size, sha256: try entry.digest("sha256", count: 32)))
        }
    }
}

/// `text` as a JSON string literal, for quoting untrusted text in an error.
func jsonString(_ text: String) -> String { BackupJSON.string(String(text.prefix(300))) }
