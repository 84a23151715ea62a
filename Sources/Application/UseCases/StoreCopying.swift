import Domain
import Gzip

/// What the use cases that copy a whole store share (`migrate-store`, `export`, `import`): the
/// empty-destination rule, the checks of a version's bytes against its record, and the audit
/// log read in pages.
enum StoreCopying {
    /// Throws `conflict` unless `destination` holds no state, live or deleted.
    static func requireEmpty(_ destination: any Transaction, _ refusal: String) throws {
        guard try destination.catalog.allStates().isEmpty else {
            throw ApplicationError(.conflict, "the destination already holds states; \(refusal)")
        }
    }

    /// Throws unless `body` is exactly the bytes `record` describes: its size, SHA-256 and MD5.
    static func check(_ body: [UInt8], against record: VersionRecord, of name: StateName, in place: String)
        throws(ApplicationError)
    {
        guard Int64(body.count) == record.size, StateBlob.sha256(body) == record.sha256,
            StateBlob.md5(body) == record.md5
        else {
            throw ApplicationError(
                .fault, "version \(record.number) of \(name) in the \(place) does not match its checksums")
        }
    }

    /// The body `gzip` inflates to, checked against `record`.
    static func body(
        ofGzip gzip: [UInt8], against record: VersionRecord, of name: StateName, in place: String
    ) throws(ApplicationError) -> [UInt8] {
        let body: [UInt8]
        do {
            body = try Gzip.decompress(gzip, limit: Int(record.size), sizeHint: Int(record.size))
        } catch {
            throw ApplicationError(.fault, "version \(record.number) of \(name) in the \(place) is corrupt: \(error)")
        }
        try Self.check(body, against: record, of: name, in: place)
        return body
    }

    /// Whether two entries describe the same state, whatever key each store gave it.
    static func same(_ copy: StateEntry, _ original: StateEntry) -> Bool {
        copy.state.name == original.state.name && copy.state.createdAt == original.state.createdAt
            && copy.state.lock == original.state.lock && copy.state.latest == original.state.latest
            && copy.deletedAt == original.deletedAt && copy.deletedBy == original.deletedBy
    }

    /// Every audit event, oldest first, read in pages of 1,000.
    static func allEvents(_ audit: any AuditLog) throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        while true {
            let page = try audit.events(AuditQuery(after: events.last?.id, limit: 1000))
            events += page
            if page.count < 1000 { return events }
        }
    }
}
