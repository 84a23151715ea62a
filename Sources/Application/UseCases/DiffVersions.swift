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
                return (
                    try Self.load(transaction, state, fromNumber), try Self.load(transaction, state, toNumber)
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

    private static func load(_ transaction: any Transaction, _ state: StoredState, _ number: Int64) throws -> (
        VersionRecord, [UInt8]
    ) {
        guard let record = try transaction.catalog.version(stateID: state.id, number: number) else {
            throw ApplicationError(.notFound, "state \(state.name) has no version \(number)")
        }
        if record.metadata.encrypted {
            throw ApplicationError(
                .unprocessable, "version \(number) of \(state.name) is encrypted by OpenTofu and cannot be diffed")
        }
        guard record.purge == nil, let gzip = try transaction.states.content(stateID: state.id, version: number) else {
            throw ApplicationError(.gone, "version \(number) of \(state.name) was purged")
        }
        return (record, try StoredBody.inflate(gzip, record, of: state.name))
    }
}
