import Application
import Dispatch
import Logging
import Synchronization
import SystemSupport

/// Applies the retention policy in the background: once at startup, then every `interval`,
/// until `stop()`.
final class RetentionWorker: Sendable {
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic(false)

    private init() {}

    /// Starts the worker's thread.
    static func start(_ retention: ApplyRetention, every interval: Duration, logger: Logger) throws -> RetentionWorker {
        let worker = RetentionWorker()
        try ThreadSpawner.spawn(stackSize: 1 << 20) {
            while !worker.stopped.load(ordering: .acquiring) {
                do {
                    let report = try retention.execute()
                    if report != ApplyRetention.Report() {
                        logger.notice(
                            "retention sweep",
                            metadata: [
                                "versions_pruned": "\(report.versionsPruned)",
                                "states_expired": "\(report.statesExpired)",
                            ])
                    }
                } catch {
                    logger.warning("retention sweep failed; retrying later", metadata: ["error": "\(error)"])
                }
                _ = worker.wake.wait(timeout: interval.fromNow)
            }
        }
        return worker
    }

    /// Asks the worker to finish; a sweep in progress completes the state it is on.
    func stop() {
        self.stopped.store(true, ordering: .releasing)
        self.wake.signal()
    }
}
