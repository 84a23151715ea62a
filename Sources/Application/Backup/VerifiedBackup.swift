import Domain

/// A backup read and checked whole before anything is written: its manifest, every file's size
/// and SHA-256 against the manifest, every version against its record's size, SHA-256 and MD5,
/// every state, audit event and token parsed, and the manifest's counts against what was found.
struct VerifiedBackup {
    /// One state entry and where its files are.
    struct State {
        let directory: String
        let file: BackupStateFile
    }

    let manifest: BackupManifest
    let states: [State]
    let events: [AuditEvent]
    let tokens: [StoredToken]
    private let listed: [String: BackupManifest.Entry]

    /// Reads and checks everything in `files`; `progress` hears each version checked.
    init(reading files: any BackupFiles, progress: (BackupProgress) -> Void) throws {
        guard let manifestBytes = try files.read(BackupLayout.manifest, limit: BackupLayout.maxManifestBytes) else {
            throw ApplicationError(
                .invalidInput,
                "there is no \(BackupLayout.manifest): this is not a Statehouse backup, or its export did not "
                    + "finish (the manifest is written last)")
        }
        self.manifest = try BackupManifest(parsing: manifestBytes)
        let listed = Dictionary(uniqueKeysWithValues: self.manifest.files.map { ($0.path, $0) })
        self.listed = listed
        var unread = Set(listed.keys)

        var states: [State] = []
        for entry in self.manifest.files {
            guard case .state(let directory) = BackupLayout.file(at: entry.path) else { continue }
            let file = try BackupStateFile(
                parsing: try Self.read(entry, from: files, limit: BackupLayout.maxStateFileBytes), file: entry.path)
            unread.remove(entry.path)
            let name = file.entry.state.name
            let live = directory.hasSuffix("/@live")
            guard directory.hasPrefix("states/\(name)/@"), live == (file.entry.deletedAt == nil) else {
                throw ApplicationError(
                    .invalidInput, "\(entry.path) describes \(live ? "a deleted" : "a live") state called \(name)")
            }
            states.append(State(directory: directory, file: file))
        }
        let versions = states.flatMap(\.file.versions)
        progress(.planned("verify", versions: versions.count, bytes: BackupProgress.bytes(of: versions)))
        for state in states {
            for record in state.file.versions {
                if record.purge == nil {
                    let path = Self.path(of: record, in: state.directory)
                    _ = try Self.body(of: record, in: state, listed: listed, from: files)
                    unread.remove(path)
                }
                progress(.version(bytes: record.purge == nil ? record.size : 0))
            }
        }
        self.states = states

        let audit = try Self.required(BackupLayout.audit, listed, from: files, limit: BackupLayout.maxAuditBytes)
        unread.remove(BackupLayout.audit)
        var events: [AuditEvent] = []
        for (index, line) in try BackupLines.split(audit, file: BackupLayout.audit).enumerated() {
            events.append(try BackupLines.event(line, number: index + 1))
        }
        self.events = events
        let tokenBytes = try Self.required(
            BackupLayout.tokens, listed, from: files, limit: BackupLayout.maxTokenFileBytes)
        unread.remove(BackupLayout.tokens)
        var tokens: [StoredToken] = []
        for (index, line) in try BackupLines.split(tokenBytes, file: BackupLayout.tokens).enumerated() {
            tokens.append(try BackupLines.token(line, number: index + 1))
        }
        self.tokens = tokens

        if let stray = unread.sorted().first {
            throw ApplicationError(
                .invalidInput, "\(BackupLayout.manifest) lists \(stray), which no state.json names as a version")
        }
        let found = BackupCounts(
            states: states.count, deletedStates: states.filter { $0.file.entry.deletedAt != nil }.count,
            versions: versions.count, purgedVersions: versions.filter { $0.purge != nil }.count,
            bytes: BackupProgress.bytes(of: versions), auditEvents: events.count, tokens: tokens.count)
        guard found == self.manifest.counts else {
            throw ApplicationError(.invalidInput, "the counts in \(BackupLayout.manifest) differ from its files")
        }
    }

    /// The body of `record` of `state`, read again and checked against the manifest and the
    /// record (so a file changed since it was verified is refused, not imported).
    func body(of record: VersionRecord, in state: State, from files: any BackupFiles) throws -> [UInt8] {
        try Self.body(of: record, in: state, listed: self.listed, from: files)
    }

    private static func body(
        of record: VersionRecord, in state: State, listed: [String: BackupManifest.Entry], from files: any BackupFiles
    ) throws -> [UInt8] {
        let path = Self.path(of: record, in: state.directory)
        guard let entry = listed[path] else {
            throw ApplicationError(
                .invalidInput,
                "version \(record.number) of \(state.file.entry.state.name) is not in \(BackupLayout.manifest)")
        }
        let body = try Self.read(entry, from: files, limit: Int(BackupLayout.maxVersionBytes))
        try StoreCopying.check(body, against: record, of: state.file.entry.state.name, in: "backup (\(path))")
        return body
    }

    private static func path(of record: VersionRecord, in directory: String) -> String {
        "\(directory)/\(record.number).tfstate"
    }

    private static func required(
        _ path: String, _ listed: [String: BackupManifest.Entry], from files: any BackupFiles, limit: Int
    ) throws -> [UInt8] {
        guard let entry = listed[path] else {
            throw ApplicationError(.invalidInput, "\(BackupLayout.manifest) does not list \(path)")
        }
        return try Self.read(entry, from: files, limit: limit)
    }

    /// The file `entry` names: present, within `limit`, and exactly its recorded size and SHA-256.
    private static func read(_ entry: BackupManifest.Entry, from files: any BackupFiles, limit: Int) throws
        -> [UInt8]
    {
        guard entry.size <= limit else {
            throw ApplicationError(.invalidInput, "\(entry.path) is larger than the \(limit) bytes allowed")
        }
        guard let bytes = try files.read(entry.path, limit: Int(entry.size)) else {
            throw ApplicationError(.invalidInput, "\(entry.path), listed in \(BackupLayout.manifest), is missing")
        }
        guard bytes.count == entry.size, StateBlob.sha256(bytes) == entry.sha256 else {
            throw ApplicationError(
                .invalidInput,
                "\(entry.path) does not match its size and SHA-256 in \(BackupLayout.manifest): the backup was "
                    + "changed or damaged")
        }
        return bytes
    }
}
