import Application
import Testing

@testable import statehouse

/// `[login]`: when failed logins hold back their address or user name.
@Suite struct LoginConfigurationTests {
    func load(_ toml: String?, _ environment: [String: String] = [:]) throws -> StatehouseConfiguration {
        try ConfigurationLoader.load(file: toml == nil ? nil : "config.toml", toml: toml, environment: environment)
    }

    @Test func readsTheLoginSectionWithEnvironmentOverrides() throws {
        let defaults = try self.load(nil).login
        #expect(defaults.freeFailures == 5)
        #expect(defaults.maxDelay == .seconds(300))
        #expect(defaults.forgetEvery == .seconds(60))
        let configured = try self.load(
            """
            [login]
            free_failures = 10
            max_delay = 30
            forget_every = 0.5
            """, ["STATEHOUSE_LOGIN_FREE_FAILURES": "0"]
        ).login
        #expect(configured.freeFailures == 0)
        #expect(configured.maxDelay == .seconds(30))
        #expect(configured.forgetEvery == .milliseconds(500))
        #expect(throws: ConfigurationError.self) { try self.load("[login]\nfree_failures = -1") }
        #expect(throws: ConfigurationError.self) { try self.load("[login]\nmax_delay = 0") }
        #expect(throws: ConfigurationError.self) { try self.load("[login]\nforget_after = 60") }
    }

    @Test func theShippedConfigFileHasTheDefaults() throws {
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let shipped = try self.load(try readFile("/" + path + "/config.toml")).login
        let defaults = try self.load(nil).login
        #expect(shipped.freeFailures == defaults.freeFailures)
        #expect(shipped.maxDelay == defaults.maxDelay)
        #expect(shipped.forgetEvery == defaults.forgetEvery)
    }
}
