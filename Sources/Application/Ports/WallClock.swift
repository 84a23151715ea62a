import Domain

/// The current time.
public protocol WallClock: Sendable {
    /// Now.
    func now() -> Timestamp
}
