import Application
import Dispatch
import Logging
import ServiceLifecycle
import Synchronization
import SystemSupport

/// Applies the retention policy in the background as a service: once at startup, then every
/// `interval`, on a thread of its own (sweeps block on the store), and removes expired web UI
/// sessions after each sweep. At graceful shutdown or cancellation it finishes the state it is on,
/// and `run()` returns only once the thread is done.
final class RetentionWorker: Service, Sendable {
    private let retention: ApplyRetention
    private let sessions: ExpireSessions?
    private let interval: Duration
    private let logger: Logger
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic(false)

    init(_ retention: ApplyRetention, sessions: ExpireSessions? = nil, every interval: Duration, logger: Logger) {
        self.retention = retention
        self.sessions = sessions
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
                            "uploads_expired": "\(report.uploadsExpired)",
                        ])
                }
            } catch {
                self.logger.warning("retention sweep failed; retrying later", metadata: ["error": "\(error)"])
            }
            do {
                let expired = try self.sessions?.execute(while: { !self.stopped.load(ordering: .acquiring) }) ?? 0
                if expired > 0 {
                    self.logger.info("expired web sessions removed", metadata: ["sessions": "\(expired)"])
                }
            } catch {
                self.logger.warning(
                    "removing expired web sessions failed; retrying later", metadata: ["error": "\(error)"])
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
