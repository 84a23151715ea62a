import Domain

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
        try caller.principal.require(.write, toChange: name)
        return try ApplicationError.translating {
            try self.store.transaction { transaction in
                guard let state = try transaction.states.stateForUpdate(named: name), let latest = state.latest else {
                    throw ApplicationError(.notFound, "no state named \(name) with a version")
                }
                if let lock = state.lock {
                    throw ApplicationError(
                        .locked(lock), "state \(name) is locked by \(lock.info.id); roll back when it is free")
                }
                guard let record = try transaction.catalog.version(stateID: state.id, number: number) else {
                    throw ApplicationError(.notFound, "state \(name) has no version \(number)")
                }
                guard !record.metadata.encrypted else {
                    throw ApplicationError(
                        .unprocessable,
                        "version \(number) of \(name) is encrypted by OpenTofu; the server cannot set its serial. "
                            + "Use `tofu state push` with the old state instead")
                }
                guard record.purge == nil,
                    let gzip = try transaction.states.content(of: state.name, stateID: state.id, version: number)
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
                let written = try transaction.states.appendVersion(version, to: state)
                try transaction.audit.append(
                    caller.event(
                        .rollback, on: name, at: now, version: written.number, reason: reason,
                        detail: "content of version \(number) written as serial \(written.serial)"))
                return written
            }
        }
    }
}
