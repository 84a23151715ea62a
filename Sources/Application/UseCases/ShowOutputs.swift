import Domain

/// The root outputs of a state's current version: names, types, and values unless sensitive.
public struct ShowOutputs: Sendable {
    /// The version read and its outputs.
    public struct Result: Equatable, Sendable {
        /// The current version.
        public let version: VersionRecord
        /// Its outputs; `encrypted` for an OpenTofu encrypted state.
        public let outputs: StateOutputs
    }

    private let store: any UnitOfWork
    private let maxVersionBytes: Int64

    /// Creates the use case: versions over `maxVersionBytes` (uncompressed) are not read.
    public init(store: any UnitOfWork, maxVersionBytes: Int64) {
        self.store = store
        self.maxVersionBytes = maxVersionBytes
    }

    /// The outputs of the current version of `name`.
    public func execute(_ name: StateName, as caller: Caller) throws(ApplicationError) -> Result {
        try caller.principal.require(.read, on: name)
        let (record, body) = try ApplicationError.translating {
            try self.store.snapshot { transaction -> (VersionRecord, [UInt8]?) in
                guard let state = try transaction.catalog.state(named: name), let latest = state.latest else {
                    throw ApplicationError(.notFound, "no state named \(name) with a version")
                }
                // Known at write time: the envelope need not be read to say so.
                if latest.metadata.encrypted { return (latest, nil) }
                guard latest.size <= self.maxVersionBytes else {
                    throw ApplicationError(
                        .unprocessable,
                        "version \(latest.number) of \(name) is \(latest.size) bytes, over the "
                            + "\(self.maxVersionBytes) bytes this server reads outputs from (state.max_diff_bytes); "
                            + "download it and run terraform output")
                }
                return (latest, try StoredBody.content(transaction, state, latest))
            }
        }
        guard let body else { return Result(version: record, outputs: .encryptedState) }
        do {
            return Result(version: record, outputs: try StateOutputs(state: body))
        } catch {
            // Stored bytes were accepted as any JSON object with a serial and lineage.
            throw ApplicationError(
                .unprocessable,
                "the outputs of version \(record.number) of \(name) cannot be read: \(error.description)")
        }
    }
}
