import Application
import Domain
import InMemoryStore
import Logging
import PasswordAuth
import Testing

@testable import statehouse

/// `[ui]`: how long web UI sessions live; and the wiring of the session use cases.
@Suite struct SessionConfigurationTests {
    func load(_ toml: String?, _ environment: [String: String] = [:]) throws -> StatehouseConfiguration {
        try ConfigurationLoader.load(file: toml == nil ? nil : "config.toml", toml: toml, environment: environment)
    }

    @Test func readsTheSessionLifetimeBoundedWithTheEnvironmentOverriding() throws {
        #expect(try self.load(nil).sessions == .standard)
        #expect(SessionPolicy.standard == SessionPolicy(lifetime: .seconds(8 * 3600), maxPerPrincipal: 20))
        #expect(try self.load("[ui]\nsession_lifetime = \"30m\"").sessions.lifetime == .seconds(1800))
        #expect(try self.load("[ui]\nsession_lifetime = \"5m\"").sessions.lifetime == .seconds(300))
        #expect(try self.load("[ui]\nsession_lifetime = \"30d\"").sessions.lifetime == .seconds(30 * 86400))
        #expect(
            try self.load("[ui]\nsession_lifetime = \"30m\"", ["STATEHOUSE_UI_SESSION_LIFETIME": "2h"]).sessions
                .lifetime
                == .seconds(7200))
        for bad in ["\"299s\"", "\"31d\"", "\"0\"", "\"8 hours\"", "28800"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try self.load("[ui]\nsession_lifetime = \(bad)") }
        }
        #expect(throws: ConfigurationError.self) { try self.load(nil, ["STATEHOUSE_UI_SESSION_LIFETIME": "1m"]) }
        #expect(throws: ConfigurationError.self) { try self.load("[ui]\nsession_lifetim = \"8h\"") }
    }

    @Test func theShippedConfigFileHasTheDefault() throws {
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let shipped = try self.load(try readFile("/" + path + "/config.toml"))
        #expect(shipped.sessions == .standard)
        #expect(shipped.uiEnabled && shipped.staleLockAfter == .seconds(3600))
    }

    @Test func readsWhetherTheUIIsOnAndWhenALockIsStale() throws {
        #expect(try self.load(nil).uiEnabled)
        #expect(try !self.load("[ui]\nenabled = false").uiEnabled)
        #expect(try !self.load(nil, ["STATEHOUSE_UI_ENABLED": "false"]).uiEnabled)
        #expect(try self.load(nil).staleLockAfter == .seconds(3600))
        #expect(try self.load("[ui]\nstale_lock_after = \"15m\"").staleLockAfter == .seconds(900))
        #expect(try self.load(nil, ["STATEHOUSE_UI_STALE_LOCK_AFTER": "2d"]).staleLockAfter == .seconds(2 * 86400))
        for bad in ["\"59s\"", "\"31d\"", "\"soon\"", "3600"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try self.load("[ui]\nstale_lock_after = \(bad)") }
        }
        #expect(throws: ConfigurationError.self) { try self.load("[ui]\nenabled = \"yes\"") }
    }

    @Test func theWiredUseCasesSignInResumeAndSignOut() throws {
        let store = InMemoryStore()
        let clock = SystemWallClock()
        let user = UserDirectory.User(
            name: "alice", passwordHash: nil, certificateCommonName: "alice-laptop",
            grants: [Grant(prefix: "team", access: .read)])
        let sessions = UseCaseWiring.sessions(
            store: store, clock: clock, authenticator: Authenticator(passwords: try UserDirectory(users: [user])),
            policy: SessionPolicy(lifetime: .seconds(600), maxPerPrincipal: 2),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        guard
            case .started(let secret, let session) = sessions.start.execute(
                .certificate(commonName: "alice-laptop"), from: "::1", requestID: nil)
        else {
            Issue.record("not started")
            return
        }
        #expect(session.principal.name == "alice")
        #expect(session.expiresAt.microseconds - clock.now().microseconds <= 600_000_000)
        #expect(try sessions.resume.execute(secret: secret) == session)
        try sessions.end.execute(secret: secret)
        #expect(try sessions.resume.execute(secret: secret) == nil)
    }
}
