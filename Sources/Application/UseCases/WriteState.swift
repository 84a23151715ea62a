import Domain

/// POST/PUT: stores a new version of a state, fenced by its lock and checked against the latest
/// version's serial and lineage.
public struct WriteState: Sendable {
    /// A write as the client sent it.
    public struct Command: Sendable {
        /// The state.
        public let name: StateName
        /// The body, stored byte for byte.
        public let body: [UInt8]
        /// The `?ID=` query parameter: the lock the writer holds.
        public let lockID: String?
        /// The decoded `Content-MD5` header, when sent.
        public let contentMD5: [UInt8]?

        /// Creates a command.
        public init(name: StateName, body: [UInt8], lockID: String?, contentMD5: [UInt8]?) {
            self.name = name
            self.body = body
            self.lockID = lockID
            self.contentMD5 = contentMD5
        }
    }

    /// How a write went.
    public enum Outcome: Equatable, Sendable {
        /// Stored as a new version.
        case stored(VersionRecord)
        /// Identical to the latest version (a client retry); nothing new stored.
        case unchanged(VersionRecord)
    }

    private let store: any UnitOfWork
    private let clock: any WallClock
    private let policy: WritePolicy
    private let compressionLevel: Int32

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock, policy: WritePolicy, compressionLevel: Int32) {
        self.store = store
        self.clock = clock
        self.policy = policy
        self.compressionLevel = compressionLevel
    }

    /// Checks and stores `command.body`.
    public func execute(_ command: Command, as caller: Caller) throws(ApplicationError) -> Outcome {
        try caller.principal.require(.write, toChange: command.name)
        let md5 = StateBlob.md5(command.body)
        if let sent = command.contentMD5, sent != md5 {
            throw ApplicationError(.invalidInput, "Content-MD5 does not match the body")
        }
        let header: StateHeader
        do {
            header = try StateHeader(parsing: command.body)
        } catch {
            throw ApplicationError(.invalidInput, error.description)
        }
        // Digest and compress before the transaction, so the state's row lock is held briefly.
        let blob = try StateBlob(body: command.body, md5: md5, compressionLevel: self.compressionLevel)
        return try ApplicationError.translating {
            try self.store.transaction { transaction in
                let now = self.clock.now()
                let state =
                    try transaction.states.stateForUpdate(named: command.name)
                    ?? transaction.states.createStateForUpdate(named: command.name, at: now)
                switch LockRules.fence(holder: state.lock?.info, lockID: command.lockID) {
                case .success:
                    break
                case .failure(.heldByOther(let holder)):
                    throw ApplicationError.locked(
                        by: state.lock, "state \(command.name) is locked by \(holder.id)", writeCheck: .fencing)
                case .failure(.notHeld(let id)):
                    throw ApplicationError(
                        .conflict, "lock \(id) is not held on state \(command.name); it may have been force-unlocked",
                        writeCheck: .fencing)
                }
                switch self.policy.decide(latest: state.latest?.summary, incoming: header, sha256: blob.sha256) {
                case .success(.replay):
                    return .unchanged(state.latest!)
                case .success(.append):
                    let version = NewVersion(
                        serial: header.serial, lineage: header.lineage, blob: blob, createdAt: now,
                        createdBy: caller.principal.name, lockID: command.lockID, metadata: StateMetadata(header))
                    let record = try transaction.states.appendVersion(version, to: state)
                    try transaction.audit.append(
                        caller.event(.write, on: command.name, at: now, version: record.number, lockID: command.lockID))
                    return .stored(record)
                case .failure(let rejection):
                    let check: ApplicationError.WriteCheck
                    if case .otherLineage = rejection { check = .lineage } else { check = .serial }
                    throw ApplicationError(.conflict, rejection.description, writeCheck: check)
                }
            }
        }
    }
}
