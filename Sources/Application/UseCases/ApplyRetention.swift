import Domain

/// Applies the retention policy: prunes old versions, removes long-deleted states and S3
/// uploads open for a day. Each state is handled in its own transaction, recorded in the audit
/// log as done by `statehouse`.
public struct ApplyRetention: Sendable {
    /// What one sweep removed.
    public struct Report: Equatable, Sendable {
        /// Versions removed.
        public var versionsPruned = 0
        /// Deleted states removed for good.
        public var statesExpired = 0
        /// S3 multipart uploads removed, with their parts, after `StoredUpload.lifetimeSeconds`.
        public var uploadsExpired = 0

        /// Creates a report.
        public init(versionsPruned: Int = 0, statesExpired: Int = 0, uploadsExpired: Int = 0) {
            self.versionsPruned = versionsPruned
            self.statesExpired = statesExpired
            self.uploadsExpired = uploadsExpired
        }
    }

    /// The caller background work is recorded as.
    public static let system = Caller(Principal(name: "statehouse", grants: []))

    /// The most expired uploads removed in one transaction.
    static let uploadBatch = 100

    private let store: any UnitOfWork
    private let clock: any WallClock
    private let policy: RetentionPolicy

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock, policy: RetentionPolicy) {
        self.store = store
        self.clock = clock
        self.policy = policy
    }

    /// One sweep over every state, or over the states before `shouldContinue` says to stop (each
    /// state is finished before it is asked).
    public func execute(while shouldContinue: () -> Bool = { true }) throws(ApplicationError) -> Report {
        try ApplicationError.translating {
            var report = Report()
            let now = self.clock.now()
            let uploadCutoff = Timestamp(microseconds: now.microseconds - StoredUpload.lifetimeSeconds * 1_000_000)
            while shouldContinue() {
                let removed = try self.store.transaction { transaction in
                    try transaction.uploads.deleteStarted(before: uploadCutoff, limit: Self.uploadBatch)
                }
                report.uploadsExpired += removed
                if removed < Self.uploadBatch { break }
            }
            for entry in try self.store.snapshot({ try $0.catalog.allStates() }) where shouldContinue() {
                if let deletedAt = entry.deletedAt {
                    guard let days = self.policy.deletedStateDays else { continue }
                    let cutoff = RetentionPolicy.cutoff(days: days, before: now)
                    guard deletedAt < cutoff else { continue }
                    // Re-checked in the transaction: the state may have been restored (or
                    // expired by another server) since the snapshot.
                    let expired = try self.store.transaction { transaction in
                        guard try transaction.pruning.expungeState(stateID: entry.state.id, deletedBefore: cutoff)
                        else {
                            return false
                        }
                        try transaction.audit.append(
                            Self.system.event(
                                .expireState, on: entry.state.name, at: now,
                                detail: "deleted at \(deletedAt)\(entry.deletedBy.map { " by \($0)" } ?? "")"))
                        return true
                    }
                    if expired { report.statesExpired += 1 }
                } else if self.policy.versionDays != nil {
                    report.versionsPruned += try self.store.transaction { transaction in
                        guard let state = try transaction.states.stateForUpdate(named: entry.state.name),
                            state.id == entry.state.id
                        else { return 0 }
                        let numbers = self.policy.expired(
                            try transaction.catalog.versions(stateID: state.id), current: state.latest?.number, at: now)
                        guard let first = numbers.first, let last = numbers.last else { return 0 }
                        try transaction.pruning.deleteVersions(stateID: state.id, numbers: numbers)
                        try transaction.audit.append(
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
