import Metrics
import Synchronization

/// Permits for heavy requests: diffs, rollbacks and uncompressed downloads of large versions,
/// each of which holds a state's bytes, or several copies of them, while it runs. At most `limit`
/// run at once, so their memory is bounded by the limit times a few states' sizes whatever the
/// clients do. A permit is taken without waiting: past the limit a request is refused at once
/// (503 with `Retry-After`) instead of queueing with its connection held.
public final class HeavyWork: Sendable {
    /// What a permit is for, as the refusals metric labels it.
    public enum Operation: String, CaseIterable, Sendable {
        /// `GET /api/v1/states/{name}/diff`.
        case diff
        /// `POST /api/v1/states/{name}/rollback`.
        case rollback
        /// A state or version sent uncompressed, inflated from its stored form.
        case download
        /// `GET /api/v1/states/{name}/outputs`.
        case outputs
    }

    /// A taken permit: given back by `release()`, or at the latest when it is deallocated (a
    /// request abandoned before its answer drops it), never twice.
    public final class Permit: Sendable {
        private let work: HeavyWork
        private let released = Atomic(false)

        fileprivate init(_ work: HeavyWork) {
            self.work = work
        }

        /// Gives the permit back; later calls do nothing.
        public func release() {
            guard !self.released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            self.work.giveBack()
        }

        deinit {
            self.release()
        }
    }

    /// The sentence a refused request gets.
    public static let busyMessage =
        "the server is busy with as many diffs, rollbacks and large downloads as it allows; "
        + "try again shortly"

    /// How many permits there are.
    public let limit: Int
    private let taken = Mutex(0)
    private let inProgress: Gauge
    private let refusals: [Operation: Counter]

    /// `limit` permits, reported through `factory`.
    public init(limit: Int, factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.limit = limit
        Gauge(label: "statehouse_heavy_requests_limit", factory: factory).record(limit)
        self.inProgress = Gauge(label: "statehouse_heavy_requests", factory: factory)
        self.inProgress.record(0)
        var refusals: [Operation: Counter] = [:]
        for operation in Operation.allCases {
            refusals[operation] = Counter(
                label: "statehouse_heavy_requests_refused_total", dimensions: [("operation", operation.rawValue)],
                factory: factory)
        }
        self.refusals = refusals
    }

    /// A permit for `operation`, or `nil` (counted as a refusal) when all are taken.
    public func permit(for operation: Operation) -> Permit? {
        let granted = self.taken.withLock { taken in
            guard taken < self.limit else { return false }
            taken += 1
            self.inProgress.record(taken)
            return true
        }
        guard granted else {
            self.refusals[operation]?.increment()
            return nil
        }
        return Permit(self)
    }

    private func giveBack() {
        self.taken.withLock { taken in
            taken -= 1
            self.inProgress.record(taken)
        }
    }
}
