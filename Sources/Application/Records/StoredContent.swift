import Domain

/// One version with stored content, as ``StoredContents`` lists it.
public struct StoredContent: Equatable, Sendable {
    /// Where it is.
    public let position: ContentPosition
    /// Its state's name (sealed contents are bound to it).
    public let name: StateName
    /// The stored bytes' length.
    public let size: Int64

    /// Creates an entry.
    public init(position: ContentPosition, name: StateName, size: Int64) {
        self.position = position
        self.name = name
        self.size = size
    }
}

/// A version's place in the order of state key, then number.
public struct ContentPosition: Equatable, Sendable {
    /// The state's key.
    public let stateID: Int64
    /// The version's number.
    public let number: Int64

    /// Creates a position.
    public init(stateID: Int64, number: Int64) {
        self.stateID = stateID
        self.number = number
    }
}

/// Stored contents counted by whether they begin with a prefix.
public struct ContentTally: Equatable, Sendable {
    /// Those that begin with it.
    public let matching: Int
    /// Those that do not.
    public let others: Int
    /// Their stored bytes.
    public let otherBytes: Int64

    /// Creates a tally.
    public init(matching: Int, others: Int, otherBytes: Int64) {
        self.matching = matching
        self.others = others
        self.otherBytes = otherBytes
    }
}
