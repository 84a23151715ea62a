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
        /// How the write proves it may pass the state's lock.
        public let fencing: Fencing
        /// What the state's latest version must be for the write to go ahead.
        public let precondition: Precondition
        /// The decoded `Content-MD5` header, when sent.
        public let contentMD5: [UInt8]?

        /// Creates a command fenced by the lock `lockID` (the `?ID=` query parameter), with no
        /// precondition: a write of the http backend.
        public init(name: StateName, body: [UInt8], lockID: String?, contentMD5: [UInt8]?) {
            self.init(name: name, body: body, fencing: .lockID(lockID), precondition: .none, contentMD5: contentMD5)
        }

        /// Creates a command.
        public init(
            name: StateName, body: [UInt8], fencing: Fencing, precondition: Precondition, contentMD5: [UInt8]?
        ) {
            self.name = name
            self.body = body
            self.fencing = fencing
            self.precondition = precondition
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
        try self.execute(command, as: caller, alongside: { _ in })
    }

    /// Checks and stores `command.body`, running `alongside` first in the same transaction: what
    /// it changes is committed with the write, and when it throws nothing is written.
    func execute(_ command: Command, as caller: Caller, alongside: (any Transaction) throws -> Void)
        throws(ApplicationError) -> Outcome
    {
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
                try alongside(transaction)
                let now = self.clock.now()
                let state =
                    try transaction.states.stateForUpdate(named: command.name)
                    ?? transaction.states.createStateForUpdate(named: command.name, at: now)
                let lockID = try self.fence(command, state: state, writer: caller.principal.name)
                try self.check(command.precondition, latest: state.latest, name: command.name)
                switch self.policy.decide(latest: state.latest?.summary, incoming: header, sha256: blob.sha256) {
                case .success(.replay):
                    return .unchanged(state.latest!)
                case .success(.append):
                    let version = NewVersion(
                        serial: header.serial, lineage: header.lineage, blob: blob, createdAt: now,
                        createdBy: caller.principal.name, lockID: lockID, metadata: StateMetadata(header))
                    let record = try transaction.states.appendVersion(version, to: state)
                    try transaction.audit.append(
                        caller.event(.write, on: command.name, at: now, version: record.number, lockID: lockID))
                    return .stored(record)
                case .failure(let rejection):
                    let check: ApplicationError.WriteCheck
                    if case .otherLineage = rejection { check = .lineage } else { check = .serial }
                    throw ApplicationError(.conflict, rejection.description, writeCheck: check)
                }
            }
        }
    }

    /// The lock ID the write is recorded under, when `command` passes `state`'s lock.
    private func fence(_ command: Command, state: StoredState, writer: String) throws(ApplicationError) -> String? {
        let result: Result<String?, LockRules.FenceFailure>
        switch command.fencing {
        case .lockID(let id):
            result = LockRules.fence(holder: state.lock?.info, lockID: id).map { id }
        case .holderPrincipal:
            result = LockRules.fence(
                holder: state.lock?.info, holderPrincipal: state.lock?.acquiredBy, writer: writer)
        }
        switch result {
        case .success(let id):
            return id
        case .failure(.heldByOther(let holder)):
            throw ApplicationError.locked(
                by: state.lock, "state \(command.name) is locked by \(holder.id)", writeCheck: .fencing)
        case .failure(.notHeld(let id)):
            throw ApplicationError(
                .conflict, "lock \(id) is not held on state \(command.name); it may have been force-unlocked",
                writeCheck: .fencing)
        }
    }

    /// Refuses the write unless `latest`, the state's latest version, meets `precondition`.
    private func check(_ precondition: Precondition, latest: VersionRecord?, name: StateName)
        throws(ApplicationError)
    {
        switch precondition {
        case .none:
            return
        case .absent:
            guard let latest else { return }
            throw ApplicationError(.preconditionFailed, "state \(name) already exists (version \(latest.number))")
        case .matching(let md5):
            guard let latest, latest.md5 == md5 else {
                throw ApplicationError(.preconditionFailed, "state \(name) is not the version the request expects")
            }
        }
    }
}

extension WriteState {
    /// How a write proves that it may pass the state's lock.
    public enum Fencing: Equatable, Sendable {
        /// The http backend's way: the `?ID=` parameter names the lock the writer holds (`nil`:
        /// none, which passes only when nothing is locked).
        case lockID(String?)
        /// S3's way, whose PUT names no lock: passes when nothing is locked, or when the lock
        /// was taken by the principal that writes; the version then records the holder's ID.
        case holderPrincipal
    }

    /// What the state's latest version must be for a write to go ahead, checked under the
    /// state's row lock.
    public enum Precondition: Equatable, Sendable {
        /// Anything.
        case none
        /// No version at all (S3's `If-None-Match: *`).
        case absent
        /// The latest version, whose body has this MD5 (S3's `If-Match` on the ETag).
        case matching(md5: [UInt8])
    }
}
