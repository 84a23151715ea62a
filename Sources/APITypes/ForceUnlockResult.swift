/// `DELETE /api/v1/states/{name}/lock`: `force-unlocked` with the lock removed, or `not locked`.
public struct ForceUnlockResult: Codable, Equatable, Sendable {
    /// `force-unlocked` or `not locked`.
    public var status: String
    /// The lock that was removed; absent when there was none.
    public var lock: Lock?

    /// Creates a result.
    public init(status: String, lock: Lock?) {
        self.status = status
        self.lock = lock
    }
}
