/// One state in detail: the summary's fields, its output names (never their values) and how many
/// versions it keeps.
public struct StateDetail: Codable, Equatable, Sendable {
    /// The fields a listing shows.
    public var summary: StateSummary
    /// The latest version's output names, never their values.
    public var outputs: [String]
    /// Versions kept, purged ones included.
    public var versionCount: Int64

    private enum CodingKeys: String, CodingKey {
        case outputs
        case versionCount = "version_count"
    }

    /// Creates details.
    public init(summary: StateSummary, outputs: [String], versionCount: Int64) {
        self.summary = summary
        self.outputs = outputs
        self.versionCount = versionCount
    }

    /// Reads the summary's members and the two of its own from one object.
    public init(from decoder: any Decoder) throws {
        self.summary = try StateSummary(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.outputs = try container.decode([String].self, forKey: .outputs)
        self.versionCount = try container.decode(Int64.self, forKey: .versionCount)
    }

    /// Writes the summary's members and the two of its own into one object.
    public func encode(to encoder: any Encoder) throws {
        try self.summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.outputs, forKey: .outputs)
        try container.encode(self.versionCount, forKey: .versionCount)
    }
}
