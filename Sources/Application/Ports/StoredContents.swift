import Domain

/// Versions' contents exactly as they are stored, sealed or plain gzip: what `statehouse rekey`
/// reads and re-seals. Nothing here takes a state's row lock, so servers keep locking and
/// writing meanwhile; purged versions have no content and are never seen.
public protocol StoredContents {
    /// How many stored contents begin with `prefix`, and how many (and how many bytes) do not.
    func tally(prefix: [UInt8]) throws -> ContentTally

    /// Up to `limit` versions, in order of state key and number and after `position` when given,
    /// whose stored content does not begin with `prefix`.
    func versions(notBeginningWith prefix: [UInt8], after position: ContentPosition?, limit: Int) throws
        -> [StoredContent]

    /// The stored bytes of version `number` of the state keyed `stateID`; `nil` when it has none
    /// (purged or removed).
    func content(stateID: Int64, number: Int64) throws -> [UInt8]?

    /// Stores `content` in place of version `number`'s bytes; `false`, and nothing changed, when
    /// the version has no content any more (a purge made meanwhile wins).
    func replace(stateID: Int64, number: Int64, with content: [UInt8]) throws -> Bool
}
