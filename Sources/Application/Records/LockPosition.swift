import Domain
import SystemSupport

/// A place in the oldest-first list of locks.
public struct LockPosition: Equatable, Sendable {
    /// When the lock was taken.
    public let acquiredAt: Timestamp
    /// The locked state's key (locks taken in the same microsecond follow it).
    public let id: Int64

    /// Creates a position.
    public init(acquiredAt: Timestamp, id: Int64) {
        self.acquiredAt = acquiredAt
        self.id = id
    }
}

extension LockPosition {
    /// The position as opaque text, for an API cursor or a page link.
    public var cursor: String { Hex.encode(Array("lock:\(self.acquiredAt.microseconds):\(self.id)".utf8)) }

    /// The position `cursor` names; `nil` if it names none.
    public init?(cursor text: String) {
        guard let bytes = Hex.decode(text), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "lock", let microseconds = Int64(parts[1]), let id = Int64(parts[2])
        else { return nil }
        self.init(acquiredAt: Timestamp(microseconds: microseconds), id: id)
    }
}
