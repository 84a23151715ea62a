/// A failure reported by a store adapter, already translated from its own terms (SQLSTATE …).
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of store failure.
    public enum Kind: Equatable, Sendable {
        /// Connection refused or lost, pool exhausted, server shutting down: try again later.
        case unavailable
        /// The disk the store writes to is full: reads still work, writes wait for free space.
        case diskFull
        /// Something that should not happen: bad data, a failed invariant, an unexpected error.
        case fault
    }

    /// The kind.
    public let kind: Kind
    /// What happened, without credentials or state content (it may name hosts and roles, so it
    /// is for the log, not for clients).
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { self.message }
}
