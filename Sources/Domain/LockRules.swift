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

    /// Whether a write that names no lock (an S3 PUT) by the principal called `writer` passes the
    /// lock: it does when nothing is locked, or when the principal called `holderPrincipal` took
    /// `holder` and is the writer (the client locked through the same credentials). Returns the
    /// lock ID the write is recorded under: `nil` when unlocked, else the holder's.
    public static func fence(holder: LockInfo?, holderPrincipal: String?, writer: String)
        -> Result<String?, FenceFailure>
    {
        guard let holder else { return .success(nil) }
        return holderPrincipal == writer ? .success(holder.id) : .failure(.heldByOther(holder))
    }
}
