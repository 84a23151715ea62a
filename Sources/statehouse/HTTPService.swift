import HTTPServer
import Logging
import ServiceLifecycle
import Synchronization

/// The HTTP server as a service of the process's `ServiceGroup`. The server is started before the
/// group runs, so that an address that cannot be bound stops startup at once; `run()` then waits
/// for graceful shutdown, stops accepting and drains in-flight requests for `drainTimeout`. When
/// the group is cancelled (a second signal), the drain is cut short.
///
/// The server keeps its own threads: a connection's request is served synchronously on the
/// connection's thread, never on the cooperative pool; only this waiting runs as a task.
final class HTTPService: Service, Sendable {
    let server: HTTPServer
    let drainTimeout: Duration
    private let drainedAll = Mutex<Bool?>(nil)

    init(server: HTTPServer, drainTimeout: Duration) {
        self.server = server
        self.drainTimeout = drainTimeout
    }

    /// Whether every connection finished on its own within the drain timeout; `nil` before the
    /// service has stopped.
    var drained: Bool? { self.drainedAll.withLock { $0 } }

    func run() async throws {
        // Returns at graceful shutdown, throws at cancellation: either way the server stops.
        try? await gracefulShutdown()
        let server = self.server
        let timeout = Task.isCancelled ? Duration.zero : self.drainTimeout
        let drained = await withTaskCancellationHandler {
            await BlockingWork.run {
                server.stopAccepting()
                return server.drain(timeout: timeout)
            }
        } onCancel: {
            server.cutConnections()
        }
        // Connections cut by a cancellation did not finish on their own.
        self.drainedAll.withLock { $0 = drained && !Task.isCancelled }
    }
}
