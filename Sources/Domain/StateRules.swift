/// What the latest stored version looks like, as far as the write rules care.
public struct VersionSummary: Equatable, Sendable {
    /// Its serial.
    public let serial: Int64
    /// Its lineage.
    public let lineage: String
    /// The SHA-256 of its bytes.
    public let sha256: [UInt8]

    /// Creates a summary.
    public init(serial: Int64, lineage: String, sha256: [UInt8]) {
        self.serial = serial
        self.lineage = lineage
        self.sha256 = sha256
    }
}

/// The rules for accepting a new state body.
public struct WritePolicy: Equatable, Sendable {
    /// Whether a write may switch the state to another lineage.
    public var allowLineageChange: Bool

    /// Creates a policy.
    public init(allowLineageChange: Bool) {
        self.allowLineageChange = allowLineageChange
    }

    /// The outcome of checking a write against the latest version.
    public enum Decision: Equatable, Sendable {
        /// Store it as a new version.
        case append
        /// It is the latest version byte for byte (a client retry): answer success, store nothing.
        case replay
    }

    /// A refused write.
    public enum Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        /// The serial is below the latest one in the same lineage.
        case stale(latest: Int64, sent: Int64)
        /// The serial equals the latest one but the bytes differ.
        case conflictingContent(serial: Int64)
        /// The lineage differs from the latest one.
        case otherLineage(latest: String, sent: String)

        /// A sentence for the client.
        public var description: String {
            switch self {
            case .stale(let latest, let sent):
                "stale write: serial \(sent) is below the stored serial \(latest)"
            case .conflictingContent(let serial):
                "conflicting write: serial \(serial) is already stored with different content"
            case .otherLineage(let latest, let sent):
                "lineage \(sent) does not match the stored lineage \(latest)"
            }
        }
    }

    /// Decides whether `incoming` (with digest `sha256`) may follow `latest`.
    public func decide(latest: VersionSummary?, incoming: StateHeader, sha256: [UInt8]) -> Result<Decision, Rejection> {
        guard let latest else { return .success(.append) }
        if latest.sha256 == sha256 { return .success(.replay) }
        if incoming.lineage != latest.lineage {
            return self.allowLineageChange
                ? .success(.append) : .failure(.otherLineage(latest: latest.lineage, sent: incoming.lineage))
        }
        if incoming.serial < latest.serial { return .failure(.stale(latest: latest.serial, sent: incoming.serial)) }
        if incoming.serial == latest.serial { return .failure(.conflictingContent(serial: incoming.serial)) }
        return .success(.append)
    }
}

/// The lock state machine: acquire, release and write fencing.
public enum LockRules {
    /// A lock held by someone else.
    public struct Conflict: Error, Equatable, Sendable {
        /// The holder's LockInfo, to be given back verbatim.
        public let holder: LockInfo
    }

    /// How a LOCK went.
    public enum Acquisition: Equatable, Sendable {
        /// The lock was free and is now held.
        case acquired
        /// The same ID already holds it (a client retry): success, nothing changes.
        case alreadyHeld
    }

    /// Whether `requested` may take the lock that `holder` (if any) has.
    public static func acquire(holder: LockInfo?, requested: LockInfo) -> Result<Acquisition, Conflict> {
        guard let holder else { return .success(.acquired) }
        return holder.id == requested.id ? .success(.alreadyHeld) : .failure(Conflict(holder: holder))
    }

    /// How an UNLOCK went.
    public enum Release: Equatable, Sendable {
        /// `holder` was released; `forced` when the request named no ID.
        case released(holder: LockInfo, forced: Bool)
        /// Nothing was locked: success, nothing changes.
        case notLocked
    }

    /// Whether `request` may release the lock that `holder` (if any) has.
    public static func release(holder: LockInfo?, request: UnlockRequest) -> Result<Release, Conflict> {
        guard let holder else { return .success(.notLocked) }
        switch request {
        case .force:
            return .success(.released(holder: holder, forced: true))
        case .id(let id):
            return id == holder.id
                ? .success(.released(holder: holder, forced: false)) : .failure(Conflict(holder: holder))
        }
    }

    /// Why a write is not covered by the lock.
    public enum FenceFailure: Error, Equatable, Sendable {
        /// Someone else holds the lock (or the writer named none).
        case heldByOther(LockInfo)
        /// The writer names a lock but nothing is locked (it was force-unlocked).
        case notHeld(id: String)
    }

    /// Whether a write carrying `lockID` (the `?ID=` parameter) passes the lock.
    public static func fence(holder: LockInfo?, lockID: String?) -> Result<Void, FenceFailure> {
        switch (holder, lockID) {
        case (nil, nil): .success(())
        case (nil, let id?): .failure(.notHeld(id: id))
        case (let holder?, let id?) where holder.id == id: .success(())
        case (let holder?, _): .failure(.heldByOther(holder))
        }
    }
}
