import Domain

/// A place in the name-ordered list of states.
public struct StatePosition: Equatable, Sendable {
    /// The name.
    public let name: String
    /// The store's key (deleted states can share a name).
    public let id: Int64

    /// Creates a position.
    public init(name: String, id: Int64) {
        self.name = name
        self.id = id
    }
}
