import Domain
import Gzip

/// Copies every state, live and deleted, with all its versions, from one store into an empty
/// one, checking each version's bytes against its recorded size, SHA-256 and MD5 before writing
/// it and again after reading the copy back. Run it with the server stopped.
public struct CopyStore: Sendable {
    /// What was copied.
    public struct Report: Equatable, Sendable {
        /// States copied (deleted ones included).
        public var states = 0
        /// Versions copied.
        public var versions = 0
        /// Uncompressed bytes of every version copied.
        public var bytes: Int64 = 0
    }

    private let source: any UnitOfWork
    private let destination: any UnitOfWork

    /// Creates the use case.
    public init(from source: any UnitOfWork, to destination: any UnitOfWork) {
        self.source = source
        self.destination = destination
    }

    /// Copies everything; `progress` hears one line per state.
    public func execute(progress: (String) -> Void = { _ in }) throws(ApplicationError) -> Report {
        try ApplicationError.translating {
            let existing = try self.destination.read { try $0.allStates() }
            guard existing.isEmpty else {
                throw ApplicationError(
                    .conflict,
                    "the destination already holds \(existing.count) states; migrate-store only copies into an empty store"
                )
            }
            var report = Report()
            for entry in try self.source.read({ try $0.allStates() }) {
                let records = try self.source.read { try $0.versions(of: entry.state) }
                let copiedID = try self.destination.transaction { repository in
                    let id = try repository.insertState(entry)
                    for record in records {
                        let gzip = try self.source.read {
                            try $0.content(stateID: entry.state.id, version: record.number)
                        }
                        guard let gzip else {
                            throw ApplicationError(
                                .fault, "version \(record.number) of \(entry.state.name) has no content in the source")
                        }
                        try Self.check(gzip, against: record, of: entry.state.name, in: "source")
                        try repository.insertVersion(record, gzip: gzip, stateID: id)
                    }
                    return id
                }
                // Read the copy back: the same records, and bytes that still match them.
                let copied = try self.destination.read { repository in
                    try repository.allStates().first { $0.state.id == copiedID }
                }
                guard let copied else {
                    throw ApplicationError(.fault, "the copy of \(entry.state.name) is missing")
                }
                let copiedRecords = try self.destination.read { try $0.versions(of: copied.state) }
                guard copiedRecords == records, copied.deletedAt == entry.deletedAt,
                    copied.state.lock == entry.state.lock
                else {
                    throw ApplicationError(.fault, "the copy of \(entry.state.name) differs from the source")
                }
                for record in copiedRecords {
                    let gzip = try self.destination.read { try $0.content(stateID: copiedID, version: record.number) }
                    try Self.check(gzip ?? [], against: record, of: entry.state.name, in: "destination")
                    report.bytes += record.size
                }
                report.states += 1
                report.versions += records.count
                let deleted = entry.deletedAt == nil ? "" : " (deleted)"
                progress("\(entry.state.name)\(deleted): \(records.count) versions, checksums verified")
            }
            return report
        }
    }

    /// Whether `gzip` inflates to exactly the bytes `record` describes.
    private static func check(_ gzip: [UInt8], against record: VersionRecord, of name: StateName, in place: String)
        throws(ApplicationError)
    {
        let body: [UInt8]
        do {
            body = try Gzip.decompress(gzip, limit: Int(record.size), sizeHint: Int(record.size))
        } catch {
            throw ApplicationError(.fault, "version \(record.number) of \(name) in the \(place) is corrupt: \(error)")
        }
        guard Int64(body.count) == record.size, StateBlob.sha256(body) == record.sha256,
            StateBlob.md5(body) == record.md5
        else {
            throw ApplicationError(
                .fault, "version \(record.number) of \(name) in the \(place) does not match its checksums")
        }
    }
}
