import Domain
import Gzip

/// A state with what the management API shows about it beyond its summary.
public struct StateDetails: Equatable, Sendable {
    /// The state and its deletion, if any.
    public let entry: StateEntry
    /// How many versions it keeps (purged ones included).
    public let versionCount: Int64

    /// Creates details.
    public init(entry: StateEntry, versionCount: Int64) {
        self.entry = entry
        self.versionCount = versionCount
    }
}

/// Lists the states a caller may read, a page at a time.
public struct ListStates: Sendable {
    /// One page, and where the next one starts (`nil` when this is the last).
    public struct Page: Equatable, Sendable {
        /// The states, ordered by name.
        public let entries: [StateEntry]
        /// Where the next page starts.
        public let next: StatePosition?
    }

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Up to `query.limit` states matching `query` that `caller` may read.
    public func execute(_ query: StateQuery, as caller: Caller) throws(ApplicationError) -> Page {
        let (entries, next) = try ApplicationError.translating {
            try self.store.snapshot { repository in
                try readablePage(limit: query.limit, start: query.after, position: \.position) { after, batch in
                    var page = query
                    page.after = after
                    page.limit = batch
                    return try repository.states(page)
                } where: {
                    caller.principal.may(.read, $0.state.name)
                }
            }
        }
        return Page(entries: entries, next: next)
    }
}

extension StateEntry {
    /// Where this entry is in the name-ordered list.
    var position: StatePosition { StatePosition(name: self.state.name.rawValue, id: self.state.id) }
}

/// Fills a page of `limit` items that pass `filter`, fetching batches from the store after
/// `start` until it is full, the store has no more, or `maxScanned` items have been looked at (so
/// a caller who may read few states cannot make one request walk the whole table). Returns the
/// page and where the next one starts (`nil` at the end), which may follow a short page.
func readablePage<Item, Position>(
    limit: Int, start: Position?, maxScanned: Int = 10_000, position: (Item) -> Position,
    fetch: (_ after: Position?, _ batch: Int) throws -> [Item], where filter: (Item) -> Bool
) throws -> (items: [Item], next: Position?) {
    var found: [Item] = []
    var after = start
    var scanned = 0
    var batch = limit
    while true {
        let page = try fetch(after, batch)
        for item in page {
            scanned += 1
            after = position(item)
            guard filter(item) else { continue }
            found.append(item)
            if found.count == limit { return (found, after) }
        }
        if page.count < batch { return (found, nil) }
        if scanned >= maxScanned { return (found, after) }
        batch = max(limit, 500)
    }
}

/// One state's details.
public struct ShowState: Sendable {
    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// The live state `name`.
    public func execute(_ name: StateName, as caller: Caller) throws(ApplicationError) -> StateDetails {
        try caller.principal.require(.read, on: name)
        let found = try ApplicationError.translating {
            try self.store.snapshot { repository -> StateDetails? in
                guard let state = try repository.state(named: name) else { return nil }
                return StateDetails(
                    entry: StateEntry(state: state, deletedAt: nil, deletedBy: nil),
                    versionCount: try repository.versionCount(stateID: state.id))
            }
        }
        guard let found else { throw ApplicationError(.notFound, "no state named \(name)") }
        return found
    }
}

/// Every current lock the caller may see, oldest first.
public struct ListLocks: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// The locked states `caller` may read, held for at least `olderThan` microseconds if given.
    public func execute(olderThan: Int64?, as caller: Caller) throws(ApplicationError) -> [StoredState] {
        let locked = try ApplicationError.translating { try self.store.read { try $0.lockedStates() } }
        let now = self.clock.now()
        return locked.filter { state in
            guard let lock = state.lock, caller.principal.may(.read, state.name) else { return false }
            return olderThan.map { now.microseconds - lock.acquiredAt.microseconds >= $0 } ?? true
        }
    }
}

/// A state's versions, newest first, a page at a time.
public struct ListVersions: Sendable {
    /// One page.
    public struct Page: Equatable, Sendable {
        /// The versions, newest first.
        public let versions: [VersionRecord]
        /// The state's current version number.
        public let current: Int64?
        /// Pass as `before` for the next page; `nil` when this is the last.
        public let nextBefore: Int64?
    }

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Up to `limit` versions of `name` numbered below `before`.
    public func execute(_ name: StateName, before: Int64?, limit: Int, as caller: Caller) throws(ApplicationError)
        -> Page
    {
        try caller.principal.require(.read, on: name)
        let found = try ApplicationError.translating {
            try self.store.snapshot { repository -> Page? in
                guard let state = try repository.state(named: name) else { return nil }
                let versions = try repository.versions(stateID: state.id, before: before, limit: limit)
                let more = versions.count == limit && (versions.last?.number ?? 0) > 1
                return Page(
                    versions: versions, current: state.latest?.number, nextBefore: more ? versions.last?.number : nil)
            }
        }
        guard let found else { throw ApplicationError(.notFound, "no state named \(name)") }
        return found
    }
}

/// What changed between two versions of a state.
public struct DiffVersions: Sendable {
    /// The versions compared and their differences.
    public struct Result: Equatable, Sendable {
        /// The older side.
        public let from: VersionRecord
        /// The newer side.
        public let to: VersionRecord
        /// Resources and outputs added, removed and changed; sensitive values redacted.
        public let diff: StateDiff
    }

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Compares version `from` (default: the one before `to`) with `to` (default: the current one).
    public func execute(_ name: StateName, from: Int64?, to: Int64?, as caller: Caller) throws(ApplicationError)
        -> Result
    {
        try caller.principal.require(.read, on: name)
        let sides = try ApplicationError.translating {
            try self.store.snapshot { repository -> ((VersionRecord, [UInt8]), (VersionRecord, [UInt8])) in
                guard let state = try repository.state(named: name), let latest = state.latest else {
                    throw ApplicationError(.notFound, "no state named \(name) with a version")
                }
                let toNumber = to ?? latest.number
                // By default the version kept just before `to` (older ones may have been pruned).
                let previous = try repository.versions(stateID: state.id, before: toNumber, limit: 1).first?.number
                guard let fromNumber = from ?? previous else {
                    throw ApplicationError(
                        .notFound,
                        "version \(toNumber) is the first version of \(name); there is no earlier one to diff")
                }
                return (
                    try Self.load(repository, state, fromNumber), try Self.load(repository, state, toNumber)
                )
            }
        }
        let (from, to) = sides
        do {
            return Result(from: from.0, to: to.0, diff: try StateDiff(from: from.1, to: to.1))
        } catch {
            // Stored bytes were accepted as any JSON object with a serial and lineage; one that is
            // not shaped like a Terraform state cannot be diffed, but nothing is broken.
            throw ApplicationError(.unprocessable, "these versions of \(name) cannot be diffed: \(error.description)")
        }
    }

    private static func load(_ repository: any StateRepository, _ state: StoredState, _ number: Int64) throws -> (
        VersionRecord, [UInt8]
    ) {
        guard let record = try repository.version(stateID: state.id, number: number) else {
            throw ApplicationError(.notFound, "state \(state.name) has no version \(number)")
        }
        if record.metadata.encrypted {
            throw ApplicationError(
                .unprocessable, "version \(number) of \(state.name) is encrypted by OpenTofu and cannot be diffed")
        }
        guard record.purge == nil, let gzip = try repository.content(stateID: state.id, version: number) else {
            throw ApplicationError(.gone, "version \(number) of \(state.name) was purged")
        }
        return (record, try StoredBody.inflate(gzip, record, of: state.name))
    }
}

/// Reading stored bytes back.
enum StoredBody {
    /// The body `gzip` holds, checked against `record`'s size and SHA-256.
    static func inflate(_ gzip: [UInt8], _ record: VersionRecord, of name: StateName) throws(ApplicationError)
        -> [UInt8]
    {
        let body: [UInt8]
        do {
            body = try Gzip.decompress(gzip, limit: Int(record.size), sizeHint: Int(record.size))
        } catch {
            throw ApplicationError(.fault, "version \(record.number) of \(name) is corrupt: \(error)")
        }
        guard Int64(body.count) == record.size, StateBlob.sha256(body) == record.sha256 else {
            throw ApplicationError(.fault, "version \(record.number) of \(name) does not match its checksum")
        }
        return body
    }
}

/// The audit trail, oldest first, a page at a time.
public struct ReadAudit: Sendable {
    /// One page, and the `after` for the next (`nil` when this is the last).
    public struct Page: Equatable, Sendable {
        /// The events.
        public let events: [AuditEvent]
        /// Pass as `after` for the next page.
        public let nextAfter: Int64?
    }

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Events matching `query` on states `caller` may read.
    public func execute(_ query: AuditQuery, as caller: Caller) throws(ApplicationError) -> Page {
        if let state = query.state { try caller.principal.require(.read, on: state) }
        let (events, next) = try ApplicationError.translating {
            try self.store.snapshot { repository in
                try readablePage(limit: query.limit, start: query.after, position: \.id) { after, batch in
                    var page = query
                    page.after = after
                    page.limit = batch
                    return try repository.auditEvents(page)
                } where: {
                    caller.principal.may(.read, $0.state)
                }
            }
        }
        return Page(events: events, nextAfter: next)
    }
}
