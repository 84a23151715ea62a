import Application
import ArgumentParser
import Logging

/// `statehouse migrate`: brings the database schema up to date and exits.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (serve also does this at startup).")

    @Option(name: .long, help: "Path to the config file (default: config.toml, or $STATEHOUSE_CONFIG).")
    var config: String?

    func run() throws {
        let (_, configuration) = try Serve.loadConfiguration(flag: self.config, environment: ProcessEnvironment.current)
        guard configuration.storage.driver != .memory else {
            print("storage.driver is memory: nothing to migrate")
            return
        }
        let logger = Logger(label: "statehouse")
        do {
            _ = try StoreFactory.make(configuration.storage, keys: configuration.encryption, logger: logger)
        } catch {
            throw ValidationError("migration failed: \(error.message)")
        }
        print("database schema is up to date (\(StoreFactory.describe(configuration.storage)))")
    }
}
