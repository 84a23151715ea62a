import Domain

/// Clears a lock from the management API (an admin's force-unlock), optionally only if it is
/// still the lock the admin saw.
public struct ForceUnlock: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Releases the lock on `name`; returns it, or `nil` when there was none. With
    /// `expectedID`, a different lock is left alone (`locked`).
    public func execute(_ name: StateName, expectedID: String?, reason: String?, as caller: Caller)
        throws(ApplicationError) -> StoredLock?
    {
        try caller.principal.require(.admin, on: name)
        return try ApplicationError.translating {
            try self.store.transaction { repository in
                guard let state = try repository.stateForUpdate(named: name) else {
                    throw ApplicationError(.notFound, "no state named \(name)")
                }
                guard let lock = state.lock else { return nil }
                if let expectedID, expectedID != lock.info.id {
                    throw ApplicationError(
                        lockedBy: lock, "state \(name) is locked by \(lock.info.id), not \(expectedID)")
                }
                try repository.setLock(nil, on: state)
                try repository.appendAudit(
                    caller.event(
                        .forceUnlock, on: name, at: self.clock.now(), lockID: lock.info.id, reason: reason,
                        detail: "held by \(lock.info.who) for \(lock.info.operation) since \(lock.acquiredAt)"))
                return lock
            }
        }
    }
}

/// Removes the bytes of one version (a leaked secret), keeping its record as a tombstone.
public struct PurgeVersion: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock
    private let cache: ContentCache

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock, cache: ContentCache) {
        self.store = store
        self.clock = clock
        self.cache = cache
    }

    /// Purges version `number` of `name`; never the current one. Returns the tombstone.
    public func execute(_ name: StateName, version number: Int64, reason: String?, as caller: Caller)
        throws(ApplicationError) -> VersionRecord
    {
        try caller.principal.require(.admin, on: name)
        let record = try ApplicationError.translating {
            try self.store.transaction { repository in
                guard let state = try repository.stateForUpdate(named: name) else {
                    throw ApplicationError(.notFound, "no state named \(name)")
                }
                guard let record = try repository.version(stateID: state.id, number: number) else {
                    throw ApplicationError(.notFound, "state \(name) has no version \(number)")
                }
                if record.purge != nil { return record }
                guard number != state.latest?.number else {
                    throw ApplicationError(
                        .conflict,
                        "version \(number) is the current version of \(name); write or roll back to another first")
                }
                let purge = Purge(at: self.clock.now(), by: caller.principal.name, reason: reason)
                try repository.purgeVersion(stateID: state.id, number: number, purge)
                try repository.appendAudit(
                    caller.event(.purgeVersion, on: name, at: purge.at, version: number, reason: reason))
                return record.purged(purge)
            }
        }
        self.cache.remove(record.sha256)
        return record
    }
}

/// Writes an older version's content as a new version, with a serial above the current one so
/// that no client sees the serial go back.
public struct RollbackState: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock
    private let compressionLevel: Int32

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock, compressionLevel: Int32) {
        self.store = store
        self.clock = clock
        self.compressionLevel = compressionLevel
    }

    /// Rolls `name` back to version `number`; refused while anyone holds the lock.
    public func execute(_ name: StateName, to number: Int64, reason: String?, as caller: Caller)
        throws(ApplicationError) -> VersionRecord
    {
        try caller.principal.require(.write, on: name)
        return try ApplicationError.translating {
            try self.store.transaction { repository in
                guard let state = try repository.stateForUpdate(named: name), let latest = state.latest else {
                    throw ApplicationError(.notFound, "no state named \(name) with a version")
                }
                if let lock = state.lock {
                    throw ApplicationError(
                        lockedBy: lock, "state \(name) is locked by \(lock.info.id); roll back when it is free")
                }
                guard let record = try repository.version(stateID: state.id, number: number) else {
                    throw ApplicationError(.notFound, "state \(name) has no version \(number)")
                }
                guard !record.metadata.encrypted else {
                    throw ApplicationError(
                        .unprocessable,
                        "version \(number) of \(name) is encrypted by OpenTofu; the server cannot set its serial. "
                            + "Use `tofu state push` with the old state instead")
                }
                guard record.purge == nil, let gzip = try repository.content(stateID: state.id, version: number)
                else {
                    throw ApplicationError(.gone, "version \(number) of \(name) was purged")
                }
                let (serial, overflow) = latest.serial.addingReportingOverflow(1)
                guard !overflow else {
                    throw ApplicationError(
                        .conflict, "the serial of \(name) is at its maximum; no version can follow it")
                }
                let old = try StoredBody.inflate(gzip, record, of: name)
                let body = try StateHeader.replacingSerial(in: old, with: serial)
                let header = try StateHeader(parsing: body)
                let now = self.clock.now()
                let version = NewVersion(
                    serial: header.serial, lineage: header.lineage,
                    blob: try StateBlob(body: body, compressionLevel: self.compressionLevel), createdAt: now,
                    createdBy: caller.principal.name, lockID: nil, metadata: StateMetadata(header), rollbackOf: number)
                let written = try repository.appendVersion(version, to: state)
                try repository.appendAudit(
                    caller.event(
                        .rollback, on: name, at: now, version: written.number, reason: reason,
                        detail: "content of version \(number) written as serial \(written.serial)"))
                return written
            }
        }
    }
}

/// Makes a soft-deleted state live again.
public struct RestoreState: Sendable {
    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Restores the deleted state `name` keyed `id`, or the most recently deleted one.
    public func execute(_ name: StateName, id: Int64?, as caller: Caller) throws(ApplicationError) -> StateDetails {
        try caller.principal.require(.admin, on: name)
        return try ApplicationError.translating {
            try self.store.transaction { repository in
                if try repository.state(named: name) != nil {
                    throw ApplicationError(
                        .conflict, "a live state named \(name) exists; delete or rename it before restoring")
                }
                let deleted = try repository.deletedStates(named: name)
                guard let entry = id == nil ? deleted.first : deleted.first(where: { $0.state.id == id }) else {
                    throw ApplicationError(
                        .notFound, "no deleted state named \(name)\(id.map { " with id \($0)" } ?? "")")
                }
                guard try repository.restoreState(stateID: entry.state.id) else {
                    throw ApplicationError(.conflict, "state \(name) was restored by someone else meanwhile")
                }
                try repository.appendAudit(
                    caller.event(
                        .restore, on: name, at: self.clock.now(), version: entry.state.latest?.number,
                        detail: entry.deletedBy.map { "deleted by \($0)" }))
                return StateDetails(
                    entry: StateEntry(state: entry.state, deletedAt: nil, deletedBy: nil),
                    versionCount: try repository.versionCount(stateID: entry.state.id))
            }
        }
    }
}
