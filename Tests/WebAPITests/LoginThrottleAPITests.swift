import Application
import Domain
import HTTPServer
import HTTPTestSupport
import Logging
import PasswordAuth
import Prometheus
import Testing

@testable import WebAPI

/// Failed logins over HTTP: 429 with Retry-After before any password hash is computed.
@Suite struct LoginThrottleAPITests {
    let users: UserDirectory
    let api: StatehouseAPI
    let registry = PrometheusCollectorRegistry()

    /// root and ci, password "pw"; three free failures; the clock stands still.
    init() throws {
        let hash = PasswordHash.make(password: "pw", iterations: 1000)
        self.users = try UserDirectory(users: [
            .init(name: "root", passwordHash: hash, grants: [Grant(prefix: "*", access: .admin)]),
            .init(name: "ci", passwordHash: hash, grants: [Grant(prefix: "team", access: .write)]),
        ])
        let factory = PrometheusMetricsFactory(registry: self.registry)
        let throttle = LoginThrottle(
            policy: .init(freeFailures: 3, maxDelay: .seconds(60), forgetEvery: .seconds(3600)), clock: StaticClock(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), factory: factory)
        self.api = StatehouseAPI(
            useCases: APIFixture().useCases, authenticator: Authenticator(passwords: self.users, throttle: throttle),
            clock: StaticClock(), metrics: MetricsEndpoint(factory: factory, requireAuth: false, exposition: { [] }))
    }

    func send(_ target: String, user: String, password: String = "pw", from address: String) -> Response {
        var request = APIFixture.request("GET", target, user: user, password: password)
        request.remoteAddress = address
        return self.api.handle(request)
    }

    var metrics: PrometheusText {
        var buffer: [UInt8] = []
        self.registry.emit(into: &buffer)
        return PrometheusText(String(decoding: buffer, as: UTF8.self))
    }

    @Test func wrongPasswordsFromOneAddressTurnInto429BeforeAnyHashIsComputed() {
        for user in ["root", "root", "nobody", "root"] {
            #expect(
                self.send("/api/v1/states", user: user, password: "guess", from: "192.0.2.7:5000").status
                    == .unauthorized)
        }
        #expect(self.users.fullVerificationCount == 4)
        let throttled = self.send("/api/v1/states", user: "root", password: "guess", from: "192.0.2.7:5001")
        #expect(throttled.status.code == 429)
        #expect(throttled.headers["Retry-After"] == "1")
        #expect(throttled.text.contains("too many failed logins"))
        #expect(self.send("/api/v1/states", user: "root", from: "192.0.2.7:5002").status.code == 429)
        #expect(self.users.fullVerificationCount == 4, "nothing held back was hashed")
        #expect(self.send("/api/v1/states", user: "ci", from: "192.0.2.8:5000").status == .ok)
        #expect(self.send("/api/v1/states", user: "root", from: "[2001:db8::1]:443").status == .ok)

        let metrics = self.metrics
        #expect(metrics[#"statehouse_login_failures_total{kind="password"}"#] == 4)
        #expect(metrics[#"statehouse_login_failures_total{kind="token"}"#] == 0)
        #expect(metrics[#"statehouse_logins_throttled_total{reason="address"}"#] == 2)
        #expect(metrics[#"statehouse_logins_throttled_total{reason="user"}"#] == 0)
    }

    @Test func aUserWhosePasswordIsRememberedGetsInWhileAFloodHoldsTheirName() {
        #expect(self.send("/api/v1/states", user: "root", from: "192.0.2.1:1").status == .ok)
        for bot in 0..<4 {
            #expect(
                self.send("/api/v1/states", user: "root", password: "guess", from: "198.51.100.\(bot):1").status
                    == .unauthorized)
        }
        let verified = self.users.fullVerificationCount
        // A bot with a failure of its own is held back by the name; the user is not, from anywhere.
        let held = self.send("/api/v1/states", user: "root", password: "guess2", from: "198.51.100.0:2")
        #expect(held.status.code == 429)
        #expect(self.send("/api/v1/states", user: "root", from: "198.51.100.0:3").status == .ok)
        #expect(self.send("/api/v1/states", user: "root", from: "192.0.2.1:1").status == .ok)
        #expect(self.users.fullVerificationCount == verified, "no hash for the held back or the remembered")
        #expect(self.metrics[#"statehouse_logins_throttled_total{reason="user"}"#] == 1)
    }
}
