import Domain
import Gzip

/// Restores a backup written by ``ExportStore`` (docs/backup-format.md). Everything is read and
/// checked first; then, in one transaction, either the whole backup goes into an empty store
/// exactly as exported, or (`merge`) only what the store lacks is added. A failure or conflict
/// leaves the store as it was.
public struct ImportStore: Sendable {
    /// What the import did.
    public struct Report: Equatable, Sendable {
        /// What was written.
        public var added = BackupCounts()
        /// What the store already held (with `merge`).
        public var present = BackupCounts()
    }

    private let store: any UnitOfWork
    private let compressionLevel: Int32

    /// The use case over `store`, compressing bodies at `compressionLevel` (sealed by the store
    /// when it encrypts).
    public init(store: any UnitOfWork, compressionLevel: Int32) {
        self.store = store
        self.compressionLevel = compressionLevel
    }

    /// Imports the backup in `files`; with `merge`, into a store that may already hold states.
    /// `progress` hears the checking of every version, then the writing.
    public func execute(
        from files: any BackupFiles, merge: Bool, progress: (BackupProgress) -> Void = { _ in }
    ) throws(ApplicationError) -> Report {
        try ApplicationError.translating {
            let backup = try VerifiedBackup(reading: files, progress: progress)
            return try self.store.transaction { transaction in
                if !merge {
                    try StoreCopying.requireEmpty(
                        transaction, "import restores into an empty store; --merge adds only what is missing")
                }
                var report = Report()
                let versions = backup.states.flatMap(\.file.versions)
                progress(.planned("import", versions: versions.count, bytes: BackupProgress.bytes(of: versions)))
                var inserted: [(Int64, BackupStateFile)] = []
                for state in backup.states {
                    let file = state.file
                    let name = file.entry.state.name
                    if merge, let existing = try Self.existing(file.entry, in: transaction) {
                        let added = try self.merge(state, into: existing, backup, files, transaction)
                        report.present.states += 1
                        if file.entry.deletedAt != nil { report.present.deletedStates += 1 }
                        report.present.versions += file.versions.count - added.count
                        report.added.versions += added.count
                        report.added.purgedVersions += added.filter { $0.purge != nil }.count
                        report.added.bytes += BackupProgress.bytes(of: added)
                        for record in file.versions {
                            progress(.version(bytes: added.contains(record) && record.purge == nil ? record.size : 0))
                        }
                        continue
                    }
                    if merge, file.entry.deletedAt == nil, let live = try transaction.catalog.state(named: name) {
                        throw ApplicationError(
                            .conflict,
                            "\(name) in the store is another state of that name (created \(live.createdAt); the "
                                + "backup's was created \(file.entry.state.createdAt)); nothing was imported")
                    }
                    let id = try transaction.imports.insertState(file.entry)
                    try self.insert(file.versions, of: state, into: id, backup, files, transaction, progress)
                    inserted.append((id, file))
                    report.added.states += 1
                    if file.entry.deletedAt != nil { report.added.deletedStates += 1 }
                    report.added.versions += file.versions.count
                    report.added.purgedVersions += file.versions.filter { $0.purge != nil }.count
                    report.added.bytes += BackupProgress.bytes(of: file.versions)
                }
                try Self.readBack(inserted, transaction)
                (report.added.auditEvents, report.present.auditEvents) = try Self.addEvents(
                    backup.events, to: transaction.audit, merge: merge)
                for token in backup.tokens {
                    if merge, try transaction.tokens.token(id: token.id) != nil {
                        report.present.tokens += 1
                        continue
                    }
                    // Names are unique among a user's live tokens: say so rather than hit the index.
                    if merge,
                        let live = try transaction.tokens.unrevokedTokens(owner: token.owner).first(where: {
                            $0.name == token.name
                        })
                    {
                        throw ApplicationError(
                            .conflict,
                            "API token \(token.name) of \(token.owner) is \(token.id) in the backup and \(live.id) in the "
                                + "store; revoke one of them and import again; nothing was imported")
                    }
                    try transaction.tokens.insert(token)
                    report.added.tokens += 1
                }
                return report
            }
        }
    }

    /// The store's entry for the same state as `entry` (a state deleted and created again is
    /// another state): for a live state, the live state of its name or a deleted one created at
    /// the same time (deleted since); for a deleted one, the deleted state of its name created
    /// and deleted at the same times. Its key, versions, and whether it is live (then locked for
    /// this transaction).
    private static func existing(_ entry: StateEntry, in transaction: any Transaction) throws -> (
        id: Int64, versions: [VersionRecord], live: Bool
    )? {
        let name = entry.state.name
        if entry.deletedAt == nil, let live = try transaction.states.stateForUpdate(named: name),
            live.createdAt == entry.state.createdAt
        {
            return (live.id, try transaction.catalog.versions(stateID: live.id), true)
        }
        let deleted = try transaction.catalog.deletedStates(named: name).first {
            $0.state.createdAt == entry.state.createdAt && (entry.deletedAt == nil || $0.deletedAt == entry.deletedAt)
        }
        return try deleted.map { ($0.state.id, try transaction.catalog.versions(stateID: $0.state.id), false) }
    }

    /// Adds to the state keyed `id` the versions of `state` after its latest when the store's
    /// entry is live; every version number on both sides must have the same SHA-256. Returns the
    /// versions added.
    private func merge(
        _ state: VerifiedBackup.State, into existing: (id: Int64, versions: [VersionRecord], live: Bool),
        _ backup: VerifiedBackup, _ files: any BackupFiles, _ transaction: any Transaction
    ) throws -> [VersionRecord] {
        let name = state.file.entry.state.name
        let stored = Dictionary(uniqueKeysWithValues: existing.versions.map { ($0.number, $0) })
        for record in state.file.versions {
            if let mine = stored[record.number], mine.sha256 != record.sha256 {
                throw ApplicationError(
                    .conflict,
                    "version \(record.number) of \(name) differs between the backup and the store; nothing was "
                        + "imported")
            }
        }
        let latest = existing.versions.last?.number ?? 0
        let later = state.file.versions.filter { $0.number > latest }
        guard existing.live, !later.isEmpty else { return [] }
        try self.insert(later, of: state, into: existing.id, backup, files, transaction) { _ in }
        if let current = state.file.entry.state.latest?.number, current > latest {
            try transaction.imports.setLatest(current, stateID: existing.id)
        }
        return later
    }

    private func insert(
        _ records: [VersionRecord], of state: VerifiedBackup.State, into id: Int64, _ backup: VerifiedBackup,
        _ files: any BackupFiles, _ transaction: any Transaction, _ progress: (BackupProgress) -> Void
    ) throws {
        let name = state.file.entry.state.name
        for record in records {
            var gzip: [UInt8]?
            if record.purge == nil {
                gzip = try Gzip.compress(
                    try backup.body(of: record, in: state, from: files), level: self.compressionLevel)
            }
            try transaction.imports.insertVersion(record, gzip: gzip, of: name, stateID: id)
            progress(.version(bytes: record.purge == nil ? record.size : 0))
        }
    }

    /// Checks that the states inserted read back as they were in the backup.
    private static func readBack(_ inserted: [(Int64, BackupStateFile)], _ transaction: any Transaction) throws {
        guard !inserted.isEmpty else { return }
        let stored = Dictionary(uniqueKeysWithValues: try transaction.catalog.allStates().map { ($0.state.id, $0) })
        for (id, file) in inserted {
            guard let entry = stored[id], StoreCopying.same(entry, file.entry),
                try transaction.catalog.versions(stateID: id) == file.versions
            else {
                throw ApplicationError(.fault, "the import of \(file.entry.state.name) does not read back as exported")
            }
        }
    }

    /// Appends the events of `events` the log lacks (all of them without `merge`), in their order;
    /// returns how many were added and how many were there already.
    private static func addEvents(_ events: [AuditEvent], to audit: any AuditLog, merge: Bool) throws -> (Int, Int) {
        var present: [String: Int] = [:]
        if merge {
            for event in try StoreCopying.allEvents(audit) { present[BackupLines.line(event), default: 0] += 1 }
        }
        var added = 0
        for event in events {
            let line = BackupLines.line(event)
            if let count = present[line], count > 0 {
                present[line] = count - 1
                continue
            }
            try audit.append(event)
            added += 1
        }
        return (added, events.count - added)
    }
}
