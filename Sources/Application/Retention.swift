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

/// Applies the retention policy: prunes old versions, removes long-deleted states. Each state
/// is handled in its own transaction, recorded in the audit log as done by `statehouse`.
public struct ApplyRetention: Sendable {
    /// What one sweep removed.
    public struct Report: Equatable, Sendable {
        /// Versions removed.
        public var versionsPruned = 0
        /// Deleted states removed for good.
        public var statesExpired = 0

        /// Creates a report.
        public init(versionsPruned: Int = 0, statesExpired: Int = 0) {
            self.versionsPruned = versionsPruned
            self.statesExpired = statesExpired
        }
    }

    /// The caller background work is recorded as.
    public static let system = Caller(Principal(name: "statehouse", grants: []))

    private let store: any UnitOfWork
    private let clock: any WallClock
    private let policy: RetentionPolicy

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock, policy: RetentionPolicy) {
        self.store = store
        self.clock = clock
        self.policy = policy
    }

    /// One sweep over every state.
    public func execute() throws(ApplicationError) -> Report {
        try ApplicationError.translating {
            var report = Report()
            let now = self.clock.now()
            for entry in try self.store.snapshot({ try $0.allStates() }) {
                if let deletedAt = entry.deletedAt {
                    guard let days = self.policy.deletedStateDays else { continue }
                    let cutoff = RetentionPolicy.cutoff(days: days, before: now)
                    guard deletedAt < cutoff else { continue }
                    // Re-checked in the transaction: the state may have been restored (or
                    // expired by another server) since the snapshot.
                    let expired = try self.store.transaction { repository in
                        guard try repository.expungeState(stateID: entry.state.id, deletedBefore: cutoff) else {
                            return false
                        }
                        try repository.appendAudit(
                            Self.system.event(
                                .expireState, on: entry.state.name, at: now,
                                detail: "deleted at \(deletedAt)\(entry.deletedBy.map { " by \($0)" } ?? "")"))
                        return true
                    }
                    if expired { report.statesExpired += 1 }
                } else if self.policy.versionDays != nil {
                    report.versionsPruned += try self.store.transaction { repository in
                        guard let state = try repository.stateForUpdate(named: entry.state.name),
                            state.id == entry.state.id
                        else { return 0 }
                        let numbers = self.policy.expired(
                            try repository.versions(of: state), current: state.latest?.number, at: now)
                        guard let first = numbers.first, let last = numbers.last else { return 0 }
                        try repository.deleteVersions(stateID: state.id, numbers: numbers)
                        try repository.appendAudit(
                            Self.system.event(
                                .pruneVersions, on: state.name, at: now,
                                detail: "\(numbers.count) versions between \(first) and \(last)"))
                        return numbers.count
                    }
                }
            }
            return report
        }
    }
}
