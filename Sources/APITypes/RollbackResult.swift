/// `POST /api/v1/states/{name}/rollback`: the new version written.
public struct RollbackResult: Codable, Equatable, Sendable {
    /// `rolled back`.
    public var status: String
    /// The new version, whose `rollback_of` names the version rolled back to.
    public var version: Version

    /// Creates a result.
    public init(status: String, version: Version) {
        self.status = status
        self.version = version
    }
}
