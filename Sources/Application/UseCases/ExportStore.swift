import Domain

/// Writes everything a store holds into a backup (docs/backup-format.md): every state, live and
/// deleted, with each version's exact bytes as the client sent them, checked against the
/// version's recorded size, SHA-256 and MD5; the audit log; the unrevoked API tokens (hashes
/// only); and last the manifest.
public struct ExportStore: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock
    private let producer: String

    /// The use case over `store` (opened read-only by the caller); `producer` names the
    /// Statehouse writing the backup (`statehouse 0.1.0`).
    public init(store: any UnitOfWork, clock: any WallClock, producer: String) {
        self.store = store
        self.clock = clock
        self.producer = producer
    }

    /// Writes the backup into `files`, reading the store from one snapshot; `progress` hears the
    /// plan first, then every version written.
    public func execute(into files: any BackupFiles, progress: (BackupProgress) -> Void = { _ in })
        throws(ApplicationError) -> BackupCounts
    {
        try ApplicationError.translating {
            try self.store.snapshot { transaction in
                let createdAt = self.clock.now()
                let entries = try transaction.catalog.allStates().map {
                    BackupStateFile(entry: $0, versions: try transaction.catalog.versions(stateID: $0.state.id))
                }
                let versions = entries.flatMap(\.versions)
                progress(.planned("export", versions: versions.count, bytes: BackupProgress.bytes(of: versions)))
                var counts = BackupCounts()
                var listed: [BackupManifest.Entry] = []
                func write(_ path: String, _ bytes: [UInt8], sha256: [UInt8]? = nil) throws {
                    try files.write(path, bytes)
                    listed.append(
                        .init(path: path, size: Int64(bytes.count), sha256: sha256 ?? StateBlob.sha256(bytes)))
                }
                var deletedSoFar: [StateName: Int] = [:]
                for file in entries {
                    let state = file.entry.state
                    var deleted: Int?
                    if file.entry.deletedAt != nil {
                        deletedSoFar[state.name, default: 0] += 1
                        deleted = deletedSoFar[state.name]
                    }
                    let directory = BackupLayout.directory(of: state.name, deleted: deleted)
                    for record in file.versions {
                        counts.versions += 1
                        guard record.purge == nil else {
                            counts.purgedVersions += 1
                            progress(.version(bytes: 0))
                            continue
                        }
                        guard
                            let gzip = try transaction.states.content(
                                of: state.name, stateID: state.id, version: record.number)
                        else {
                            throw ApplicationError(
                                .fault, "version \(record.number) of \(state.name) has no content in the store")
                        }
                        let body = try StoreCopying.body(ofGzip: gzip, against: record, of: state.name, in: "store")
                        try write("\(directory)/\(record.number).tfstate", body, sha256: record.sha256)
                        counts.bytes += record.size
                        progress(.version(bytes: record.size))
                    }
                    try write("\(directory)/state.json", file.json)
                    counts.states += 1
                    if deleted != nil { counts.deletedStates += 1 }
                }
                let events = try StoreCopying.allEvents(transaction.audit)
                try write(BackupLayout.audit, Array(events.map { BackupLines.line($0) + "\n" }.joined().utf8))
                counts.auditEvents = events.count
                let tokens = try transaction.tokens.unrevokedTokens(owner: nil)
                try write(BackupLayout.tokens, Array(tokens.map { BackupLines.line($0) + "\n" }.joined().utf8))
                counts.tokens = tokens.count
                let manifest = BackupManifest(
                    createdAt: createdAt, producer: self.producer, counts: counts, files: listed)
                // The manifest names the other files: they reach the disk first.
                try files.sync()
                try files.write(BackupLayout.manifest, manifest.json)
                try files.sync()
                return counts
            }
        }
    }
}

/// What a long backup command has done so far.
public enum BackupProgress: Equatable, Sendable {
    /// The work of a step (`export`, `verify`, `import`) ahead: this many versions carrying this
    /// many bytes.
    case planned(String, versions: Int, bytes: Int64)
    /// One more version done, carrying this many bytes (0 for a purged one).
    case version(bytes: Int64)

    /// The bytes of the versions in `records` that were not purged.
    static func bytes(of records: [VersionRecord]) -> Int64 {
        records.reduce(0) { $0 + ($1.purge == nil ? $1.size : 0) }
    }
}
