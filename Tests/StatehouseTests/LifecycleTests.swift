import Application
import Dispatch
import Domain
import HTTPServer
import HTTPTestSupport
import InMemoryStore
import Logging
import Synchronization
import SystemSupport
import Testing

@testable import statehouse

/// A store whose snapshots (what a retention sweep starts with) wait until the test lets them go.
private final class GatedStore: UnitOfWork, Sendable {
    let inner = InMemoryStore()
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T { try self.inner.transaction(work) }
    func ping() throws(StoreError) {}

    func snapshot<T>(_ work: (any Transaction) throws -> T) throws -> T {
        self.entered.signal()
        self.release.wait()
        return try self.inner.snapshot(work)
    }
}

/// Whether `semaphore` is signalled within `timeout`, waited for on a thread of its own: the test
/// must not hold a thread of the cooperative pool, which the service group runs on. The default is
/// long because the suite's synchronous tests (real Terraform runs among them) may hold every pool
/// thread for minutes on a 2-core machine, and the service group starts only when one is free; a
/// passing run never waits that long.
private func signalled(_ semaphore: DispatchSemaphore, within timeout: Duration = .seconds(600)) async -> Bool {
    await BlockingWork.run { semaphore.wait(timeout: timeout.fromNow) == .success }
}

/// How a run ended, once it has.
private final class Run: Sendable {
    let finished = DispatchSemaphore(value: 0)
    let outcome = Mutex<Lifecycle.Outcome?>(nil)
}

/// The signals a test sends by hand.
private final class ManualSignals: Sendable {
    let handlers = Mutex<(first: (@Sendable (String) -> Void)?, second: (@Sendable (String) -> Void)?)>((nil, nil))
    let started = DispatchSemaphore(value: 0)

    var source: Lifecycle.SignalSource {
        { first, second in
            self.handlers.withLock { $0 = (first, second) }
            self.started.signal()
        }
    }

    func send(first: Bool) {
        let handler = self.handlers.withLock { first ? $0.first : $0.second }
        handler?("SIGTERM")
    }
}

/// The process's shutdown, in order: the server stops accepting and drains, then the retention
/// worker finishes the state it is on, and only then does `run` return.
@Suite struct LifecycleTests {
    private let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    private func server() throws -> HTTPServer {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.headerTimeout = .seconds(120)
        let server = try HTTPServer(
            configuration: configuration, responder: ClosureResponder { _ in Response(status: .ok) },
            logger: self.logger)
        try server.start()
        return server
    }

    private func start(
        _ server: HTTPServer, _ store: GatedStore, _ signals: ManualSignals, drainTimeout: Duration
    ) -> Run {
        let retention = RetentionWorker(
            ApplyRetention(
                store: store, clock: SystemWallClock(),
                policy: RetentionPolicy(versionDays: 1, keepVersions: 1, deletedStateDays: 1)),
            every: .seconds(3600), logger: self.logger)
        let run = Run()
        let logger = self.logger
        DispatchQueue.global().async {
            let result = try? Lifecycle.run(
                server: server, retention: retention, drainTimeout: drainTimeout, logger: logger,
                signals: signals.source)
            run.outcome.withLock { $0 = result }
            run.finished.signal()
        }
        return run
    }

    @Test func theServerDrainsFirstThenTheRetentionWorkerIsWaitedFor() async throws {
        let server = try self.server()
        let port = server.addresses[0].port
        let store = GatedStore()
        let signals = ManualSignals()
        let run = self.start(server, store, signals, drainTimeout: .seconds(60))
        #expect(await signalled(signals.started))
        #expect(await signalled(store.entered), "the first sweep starts")
        let inFlight = try TestClient(port: port)
        try inFlight.send("GET /a HTTP/1.1\r\n")

        signals.send(first: true)
        // The server stops accepting at once and answers the request in flight, with close.
        #expect(throws: TestClient.ClientError.self) { try TestClient(port: port) }
        try inFlight.send("Host: h\r\n\r\n")
        let reply = try inFlight.readResponse()
        #expect(reply.status == 200)
        #expect(reply.headers["Connection"] == "close")
        // The retention worker is still in its sweep, and run waits for it.
        #expect(!(await signalled(run.finished, within: .milliseconds(200))))
        store.release.signal()
        #expect(await signalled(run.finished))
        #expect(run.outcome.withLock { $0 } == Lifecycle.Outcome(drained: true, cancelled: false))
    }

    @Test func aSecondSignalCutsTheDrainShort() async throws {
        let server = try self.server()
        let port = server.addresses[0].port
        let store = GatedStore()
        let signals = ManualSignals()
        let run = self.start(server, store, signals, drainTimeout: .seconds(120))
        #expect(await signalled(signals.started))
        #expect(await signalled(store.entered))
        store.release.signal()
        let inFlight = try TestClient(port: port)
        try inFlight.send("GET /a HTTP/1.1\r\n")
        signals.send(first: true)
        signals.send(first: false)
        // The half-sent request would hold the drain for two minutes; the second signal cuts it.
        #expect(await signalled(run.finished))
        #expect(run.outcome.withLock { $0 } == Lifecycle.Outcome(drained: false, cancelled: true))
        #expect(inFlight.isClosedByPeer())
    }
}
