import Domain

/// Copies every state, live and deleted, with all its versions, from one store into an empty
/// one, checking each version's bytes against its recorded size, SHA-256 and MD5 before writing
/// it and again after reading the copy back; then the audit log and the unrevoked API tokens.
public struct CopyStore: Sendable {
    /// What was copied.
    public struct Report: Equatable, Sendable {
        /// States copied (deleted ones included).
        public var states = 0
        /// Versions copied.
        public var versions = 0
        /// Uncompressed bytes of every version copied.
        public var bytes: Int64 = 0
        /// Audit events copied.
        public var auditEvents = 0
        /// Unrevoked API tokens copied (revoked ones stay only in the audit log).
        public var tokens = 0
    }

    private let source: any UnitOfWork
    private let destination: any UnitOfWork

    /// Creates the use case.
    public init(from source: any UnitOfWork, to destination: any UnitOfWork) {
        self.source = source
        self.destination = destination
    }

    /// Copies everything, all or nothing; `progress` hears one line per state copied, then one
    /// when the copy has been read back and verified.
    ///
    /// The source is read from one snapshot, so writes made meanwhile are not half-copied, and the
    /// destination is written in one transaction: if anything fails or does not verify, nothing
    /// is left behind and the copy can simply be run again.
    public func execute(progress: (String) -> Void = { _ in }) throws(ApplicationError) -> Report {
        try ApplicationError.translating {
            try self.source.snapshot { source in
                try self.destination.transaction { destination in
                    try StoreCopying.requireEmpty(destination, "migrate-store only copies into an empty store")
                    var report = Report()
                    var copies: [(Int64, StateEntry, [VersionRecord])] = []
                    for entry in try source.catalog.allStates() {
                        let id = try destination.imports.insertState(entry)
                        let records = try source.catalog.versions(stateID: entry.state.id)
                        for record in records {
                            guard record.purge == nil else {
                                try destination.imports.insertVersion(
                                    record, gzip: nil, of: entry.state.name, stateID: id)
                                continue
                            }
                            guard
                                let gzip = try source.states.content(
                                    of: entry.state.name, stateID: entry.state.id, version: record.number)
                            else {
                                throw ApplicationError(
                                    .fault,
                                    "version \(record.number) of \(entry.state.name) has no content in the source")
                            }
                            _ = try StoreCopying.body(ofGzip: gzip, against: record, of: entry.state.name, in: "source")
                            try destination.imports.insertVersion(record, gzip: gzip, of: entry.state.name, stateID: id)
                            report.bytes += record.size
                        }
                        copies.append((id, entry, records))
                        report.states += 1
                        report.versions += records.count
                        let deleted = entry.deletedAt == nil ? "" : " (deleted)"
                        progress("\(entry.state.name)\(deleted): \(records.count) versions")
                    }
                    // Read the copy back: the same states and records, and bytes that still match.
                    let copied = Dictionary(
                        uniqueKeysWithValues: try destination.catalog.allStates().map { ($0.state.id, $0) })
                    for (id, entry, records) in copies {
                        guard let copy = copied[id], StoreCopying.same(copy, entry),
                            try destination.catalog.versions(stateID: copy.state.id) == records
                        else {
                            throw ApplicationError(.fault, "the copy of \(entry.state.name) differs from the source")
                        }
                        for record in records {
                            let gzip = try destination.states.content(
                                of: entry.state.name, stateID: id, version: record.number)
                            if record.purge != nil, gzip == nil { continue }
                            _ = try StoreCopying.body(
                                ofGzip: gzip ?? [], against: record, of: entry.state.name, in: "destination")
                        }
                    }
                    report.auditEvents = try Self.copyAudit(from: source, to: destination)
                    progress("audit log: \(report.auditEvents) events")
                    report.tokens = try Self.copyTokens(from: source, to: destination)
                    progress("API tokens: \(report.tokens)")
                    progress("read back: every state, version and checksum matches the source")
                    return report
                }
            }
        }
    }

    /// Copies the audit log in order, then reads it back; returns the number of events.
    private static func copyAudit(from source: any Transaction, to destination: any Transaction) throws
        -> Int
    {
        let copied = try StoreCopying.allEvents(source.audit)
        for event in copied { try destination.audit.append(event) }
        let readBack = try StoreCopying.allEvents(destination.audit)
        guard readBack.count == copied.count,
            zip(readBack, copied).allSatisfy({ $0.withID(0) == $1.withID(0) })
        else {
            throw ApplicationError(.fault, "the copy of the audit log differs from the source")
        }
        return copied.count
    }

    /// Copies the unrevoked API tokens (expired ones too: they still hold their names), then reads
    /// them back; returns how many.
    private static func copyTokens(from source: any Transaction, to destination: any Transaction) throws -> Int {
        let tokens = try source.tokens.unrevokedTokens(owner: nil)
        for token in tokens { try destination.tokens.insert(token) }
        guard try destination.tokens.unrevokedTokens(owner: nil) == tokens else {
            throw ApplicationError(.fault, "the copy of the API tokens differs from the source")
        }
        return tokens.count
    }
}
