import Application
import Dispatch
import Logging
import ServiceLifecycle
import Synchronization
import SystemSupport

/// Applies the retention policy in the background as a service: once at startup, then every
/// `interval`, on a thread of its own (sweeps block on the store). At graceful shutdown or
/// cancellation it finishes the state it is on, and `run()` returns only once the thread is done.
final class RetentionWorker: Service, Sendable {
    private let retention: ApplyRetention
    private let interval: Duration
    private let logger: Logger
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic(false)

    init(_ retention: ApplyRetention, every interval: Duration, logger: Logger) {
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            await BlockingWork.run { self.sweepUntilStopped() }
        } onCancelOrGracefulShutdown: {
            self.stop()
        }
    }

    /// Sweeps, then sleeps for the interval or until stopped, until stopped.
    private func sweepUntilStopped() {
        while !self.stopped.load(ordering: .acquiring) {
            do {
                let report = try self.retention.execute(while: { !self.stopped.load(ordering: .acquiring) })
                if report != ApplyRetention.Report() {
                    self.logger.notice(
                        "retention sweep",
                        metadata: [
                            "versions_pruned": "\(report.versionsPruned)", "states_expired": "\(report.statesExpired)",
                        ])
                }
            } catch {
                self.logger.warning("retention sweep failed; retrying later", metadata: ["error": "\(error)"])
            }
            _ = self.wake.wait(timeout: self.interval.fromNow)
        }
    }

    /// Asks the worker to finish; a sweep in progress completes the state it is on.
    func stop() {
        self.stopped.store(true, ordering: .releasing)
        self.wake.signal()
    }
}
