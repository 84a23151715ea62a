import Dispatch
import HTTPServer
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The running process: the retention worker and the HTTP server as the services of one
/// `ServiceGroup`, shut down in order when a signal comes. The first SIGTERM or SIGINT shuts the
/// group down gracefully (the server stops accepting and drains, then the retention worker
/// finishes the state it is on); a second one cancels the group, which cuts the drain short.
///
/// Signals are taken by `SignalWaiter`'s own thread rather than by the group: the group cannot
/// escalate on a second signal of the same kind, which is what an operator pressing Ctrl-C twice
/// expects.
enum Lifecycle {
    /// How the run ended.
    struct Outcome: Equatable {
        /// Whether every connection finished within the drain timeout.
        var drained: Bool
        /// Whether a second signal cut the shutdown short.
        var cancelled: Bool
    }

    /// Where the shutdown signals come from: a function that starts delivering them to `first`
    /// and `second` (the process's own signals, or a test's).
    typealias SignalSource =
        @Sendable (
            _ first: @escaping @Sendable (String) -> Void, _ second: @escaping @Sendable (String) -> Void
        ) throws -> Void

    /// Runs until the services have stopped; `server` has been started already.
    static func run(
        server: HTTPServer, retention: RetentionWorker, drainTimeout: Duration, logger: Logger,
        signals: SignalSource = { try SignalWaiter.start(first: $0, second: $1) }
    ) throws -> Outcome {
        let http = HTTPService(server: server, drainTimeout: drainTimeout)
        // The group shuts its services down in reverse order: the server first, then retention.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [retention, http], logger: logger))
        let finished = DispatchSemaphore(value: 0)
        let runner = Task {
            do {
                try await group.run()
            } catch {
                logger.error("a service failed", metadata: ["error": "\(error)"])
            }
            finished.signal()
        }
        let cancelled = Atomic(false)
        try signals(
            { signal in
                // No new connection from here on, and every answer says Connection: close.
                server.stopAccepting()
                logger.notice(
                    "shutting down", metadata: ["signal": .string(signal), "drain_timeout": "\(drainTimeout)"])
                Task { await group.triggerGracefulShutdown() }
            },
            { signal in
                logger.warning(
                    "second signal; exiting without waiting for the drain", metadata: ["signal": .string(signal)])
                cancelled.store(true, ordering: .releasing)
                runner.cancel()
            })
        finished.wait()
        return Outcome(drained: http.drained ?? false, cancelled: cancelled.load(ordering: .acquiring))
    }
}
