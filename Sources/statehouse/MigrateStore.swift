import Application
import ArgumentParser
import Logging

/// `statehouse migrate-store --from sqlite:data/statehouse.db --to postgresql://…`: copies every
/// state with all its versions into an empty store, verified by checksum.
struct MigrateStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy every state, with all its versions, from one store into an empty one.",
        discussion: """
            Stores are written sqlite:PATH, or a PostgreSQL URL (postgresql://user@host/db, or \
            postgres:KEYWORDS for a libpq keyword string). The source is read from one snapshot and \
            never changed (an SQLite source must exist); the destination must be empty and is written \
            in one transaction, so a failed copy leaves nothing behind. Every version is checked \
            against its recorded size, SHA-256 and MD5 before it is written and again after it is \
            read back; deleted states and locks are copied too. The [encryption] keys of the \
            configuration open the source's versions and seal the copy with the first key.
            """)

    @Option(help: "The store to copy from, such as sqlite:data/statehouse.db.")
    var from: String

    @Option(help: "The empty store to copy into, such as postgresql://statehouse@db/statehouse.")
    var to: String

    @Option(
        name: .long,
        help:
            "The config file whose [encryption] keys open the source and seal the copy (default: config.toml, or $STATEHOUSE_CONFIG)."
    )
    var config: String?

    func run() throws {
        let keys = try Serve.loadConfiguration(flag: self.config, environment: ProcessEnvironment.current)
            .configuration.encryption
        let source = try self.open(self.from, asSource: true, keys: keys)
        let destination = try self.open(self.to, asSource: false, keys: keys)
        do {
            let report = try CopyStore(from: source, to: destination).execute { print($0) }
            print(
                "copied \(report.states) states, \(report.versions) versions, \(report.bytes) bytes; all checksums verified"
            )
        } catch {
            throw ValidationError("migrate-store failed: \(error.logDescription)")
        }
    }

    private func open(_ specification: String, asSource: Bool, keys: KeyRing) throws -> any UnitOfWork {
        var storage = StatehouseConfiguration.Storage()
        if specification.hasPrefix("sqlite:") {
            storage.driver = .sqlite
            storage.path = String(specification.dropFirst("sqlite:".count))
        } else if specification.hasPrefix("postgresql://") || specification.hasPrefix("postgres://") {
            storage.driver = .postgres
            storage.url = specification
        } else if specification.hasPrefix("postgres:") {
            storage.driver = .postgres
            storage.url = String(specification.dropFirst("postgres:".count))
        } else {
            throw ValidationError("cannot tell what store \(specification) is: use sqlite:PATH or a postgresql:// URL")
        }
        do {
            if asSource { return try StoreFactory.openSource(storage, keys: keys) }
            return try StoreFactory.make(storage, keys: keys, logger: Logger(label: "statehouse"))
        } catch {
            throw ValidationError("cannot open \(StoreFactory.describe(storage)): \(error.message)")
        }
    }
}
