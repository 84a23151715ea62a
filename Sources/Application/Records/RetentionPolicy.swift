import Domain

/// How long history is kept.
public struct RetentionPolicy: Equatable, Sendable {
    /// Versions younger than this many days are kept; `nil` keeps every version.
    public var versionDays: Int?
    /// The newest this many versions of each state are kept whatever their age (at least 1:
    /// the current version is never removed).
    public var keepVersions: Int
    /// Soft-deleted states are removed for good this many days after their deletion; `nil`
    /// keeps them.
    public var deletedStateDays: Int?

    /// Creates a policy.
    public init(versionDays: Int?, keepVersions: Int, deletedStateDays: Int?) {
        self.versionDays = versionDays
        self.keepVersions = max(1, keepVersions)
        self.deletedStateDays = deletedStateDays
    }

    /// `days` days before `now`.
    static func cutoff(days: Int, before now: Timestamp) -> Timestamp {
        Timestamp(microseconds: now.microseconds - Int64(days) * 86_400_000_000)
    }

    /// The versions of a state (oldest first) that the policy removes at `now`.
    public func expired(_ versions: [VersionRecord], current: Int64?, at now: Timestamp) -> [Int64] {
        guard let days = self.versionDays else { return [] }
        let cutoff = Self.cutoff(days: days, before: now).microseconds
        return versions.dropLast(self.keepVersions)
            .filter { $0.createdAt.microseconds < cutoff && $0.number != current }
            .map(\.number)
    }
}
