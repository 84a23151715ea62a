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
