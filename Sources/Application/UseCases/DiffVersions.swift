import Domain

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

    /// The most a diff reports by default: names, addresses and the JSON text of changed values.
    public static let defaultReportedBytes = 8 << 20

    private let store: any UnitOfWork
    private let maxVersionBytes: Int64
    private let maxReportedBytes: Int

    /// Creates the use case: versions over `maxVersionBytes` (uncompressed) are not compared,
    /// and a diff reports at most `maxReportedBytes` of changes.
    public init(store: any UnitOfWork, maxVersionBytes: Int64, maxReportedBytes: Int = defaultReportedBytes) {
        self.store = store
        self.maxVersionBytes = maxVersionBytes
        self.maxReportedBytes = maxReportedBytes
    }

    /// Compares version `from` (default: the one before `to`) with `to` (default: the current one).
    public func execute(_ name: StateName, from: Int64?, to: Int64?, as caller: Caller) throws(ApplicationError)
        -> Result
    {
        try caller.principal.require(.read, on: name)
        let sides = try ApplicationError.translating {
            try self.store.snapshot { transaction -> ((VersionRecord, [UInt8]), (VersionRecord, [UInt8])) in
                guard let state = try transaction.catalog.state(named: name), let latest = state.latest else {
                    throw ApplicationError(.notFound, "no state named \(name) with a version")
                }
                let toNumber = to ?? latest.number
                // By default the version kept just before `to` (older ones may have been pruned).
                let previous = try transaction.catalog.versions(stateID: state.id, before: toNumber, limit: 1).first?
                    .number
                guard let fromNumber = from ?? previous else {
                    throw ApplicationError(
                        .notFound,
                        "version \(toNumber) is the first version of \(name); there is no earlier one to diff")
                }
                let records = (
                    try self.record(transaction, state, fromNumber), try self.record(transaction, state, toNumber)
                )
                return (
                    (records.0, try StoredBody.content(transaction, state, records.0)),
                    (records.1, try StoredBody.content(transaction, state, records.1))
                )
            }
        }
        let (from, to) = sides
        do {
            let diff = try StateDiff(from: from.1, to: to.1, maxReportedBytes: self.maxReportedBytes)
            return Result(from: from.0, to: to.0, diff: diff)
        } catch {
            // Stored bytes were accepted as any JSON object with a serial and lineage; one that is
            // not shaped like a Terraform state cannot be diffed, but nothing is broken.
            throw ApplicationError(.unprocessable, "these versions of \(name) cannot be diffed: \(error.description)")
        }
    }

    /// Version `number` of `state`, if it can be compared.
    private func record(_ transaction: any Transaction, _ state: StoredState, _ number: Int64) throws
        -> VersionRecord
    {
        guard let record = try transaction.catalog.version(stateID: state.id, number: number) else {
            throw ApplicationError(.notFound, "state \(state.name) has no version \(number)")
        }
        if record.metadata.encrypted {
            throw ApplicationError(
                .unprocessable, "version \(number) of \(state.name) is encrypted by OpenTofu and cannot be diffed")
        }
        guard record.size <= self.maxVersionBytes else {
            throw ApplicationError(
                .unprocessable,
                "version \(number) of \(state.name) is \(record.size) bytes, over the \(self.maxVersionBytes) bytes "
                    + "this server diffs (state.max_diff_bytes); download both versions and compare them locally")
        }
        return record
    }
}
