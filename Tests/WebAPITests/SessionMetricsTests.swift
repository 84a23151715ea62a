import Application
import Domain
import HTTPTestSupport
import InMemoryStore
import Logging
import PasswordAuth
import Prometheus
import Synchronization
import Testing

/// Web UI sign-ins and sign-outs are counted and logged, by user, never with a secret.
@Suite struct SessionMetricsTests {
    /// Log lines as `message key=value …`.
    final class CapturedLog: Sendable {
        let lines = Mutex<[String]>([])

        struct Handler: LogHandler {
            let log: CapturedLog
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { self.metadata[key] }
                set { self.metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                self.log.lines.withLock { $0.append(([event.message.description] + fields).joined(separator: " ")) }
            }
        }
    }

    /// A clock the test moves by hand.
    final class HandClock: WallClock {
        let current = Mutex(Timestamp(microseconds: 1_795_000_000_000_000))
        func now() -> Timestamp { self.current.withLock { $0 } }
    }

    @Test func signInsAndEndedSessionsAreCountedAndLoggedWithoutSecrets() throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let log = CapturedLog()
        let logger = Logger(label: "test") { _ in CapturedLog.Handler(log: log) }
        let clock = HandClock()
        let store = InMemoryStore()
        let alice = UserDirectory.User(
            name: "alice", passwordHash: PasswordHash.make(password: "right", iterations: 1000),
            certificateCommonName: "alice-laptop", grants: [])
        let authenticator = Authenticator(
            passwords: try UserDirectory(users: [alice]),
            throttle: LoginThrottle(policy: .init(freeFailures: 0), clock: clock, logger: logger))
        let policy = SessionPolicy(lifetime: .seconds(300), maxPerPrincipal: 1)
        let start = StartSession(
            store: store, authenticator: authenticator, clock: clock, policy: policy, logger: logger, factory: factory)
        let end = EndSession(store: store, logger: logger, factory: factory)

        guard
            case .started(let first, _) = start.execute(
                .certificate(commonName: "alice-laptop"), from: "192.0.2.1", requestID: "r-1"),
            case .started(let second, _) = start.execute(
                .basic(username: "alice", password: "right"), from: "192.0.2.1", requestID: "r-2")
        else {
            Issue.record("not started")
            return
        }
        #expect(
            start.execute(.basic(username: "alice", password: "wrong"), from: "192.0.2.9", requestID: nil) == .rejected)
        #expect(
            start.execute(.basic(username: "alice", password: "wrong"), from: "192.0.2.9", requestID: nil)
                == .throttled(retryAfter: 1))
        let failing = StartSession(
            store: FailingStore(error: StoreError(.unavailable, "down")), authenticator: authenticator, clock: clock,
            policy: policy, logger: logger, factory: factory)
        #expect(
            failing.execute(.certificate(commonName: "alice-laptop"), from: "192.0.2.1", requestID: nil)
                == .unavailable("the store does not answer"))
        try end.execute(secret: first)  // replaced by the second already
        try end.execute(secret: second)
        _ = try start.execute(.certificate(commonName: "alice-laptop"), from: "192.0.2.1", requestID: nil)
        clock.current.withLock { $0 = Timestamp(microseconds: $0.microseconds + 300_000_000) }
        #expect(try ExpireSessions(store: store, clock: clock, factory: factory).execute() == 1)

        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let metrics = PrometheusText(String(decoding: buffer, as: UTF8.self))
        #expect(metrics.count(#"statehouse_ui_sign_ins_total{result="ok"}"#) == 3)
        #expect(metrics.count(#"statehouse_ui_sign_ins_total{result="rejected"}"#) == 1)
        #expect(metrics.count(#"statehouse_ui_sign_ins_total{result="throttled"}"#) == 1)
        #expect(metrics.count(#"statehouse_ui_sign_ins_total{result="unavailable"}"#) == 1)
        #expect(metrics.count(#"statehouse_ui_sign_ins_total{result="busy"}"#) == 0)
        #expect(metrics.count(#"statehouse_ui_sessions_ended_total{reason="replaced"}"#) == 1)
        #expect(metrics.count(#"statehouse_ui_sessions_ended_total{reason="signed_out"}"#) == 1)
        #expect(metrics.count(#"statehouse_ui_sessions_ended_total{reason="expired"}"#) == 1)

        let lines = log.lines.withLock { $0 }
        #expect(lines.contains("signed in address=192.0.2.1 request.id=r-1 user=alice"))
        #expect(lines.filter { $0.hasPrefix("signed in ") }.count == 3)
        #expect(lines.filter { $0.hasPrefix("signed out ") } == ["signed out user=alice"])
        #expect(!lines.contains { $0.contains("shs_") || $0.contains("right") })
    }
}
