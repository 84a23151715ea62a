/// `GET /api/v1/states/{name}/versions`: one page of versions, newest first.
public struct VersionList: Codable, Equatable, Sendable {
    /// The versions.
    public var versions: [Version]
    /// Pass as `before` for the next page; `nil` on the last one.
    @Nullable public var nextBefore: Int64?

    private enum CodingKeys: String, CodingKey {
        case versions
        case nextBefore = "next_before"
    }

    /// Creates a page.
    public init(versions: [Version], nextBefore: Int64?) {
        self.versions = versions
        self.nextBefore = nextBefore
    }
}
