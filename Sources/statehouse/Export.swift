import Application
import ArgumentParser
import BackupDirectory

/// `statehouse export DIR`: writes every state, version, lock, deletion, audit event and API
/// token of the configured store into a new directory (docs/backup-format.md).
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a backup of the configured store into a new directory.",
        discussion: """
            Reads the store of the configuration (as serve would) from one snapshot, opened read-only: \
            it is never created, migrated or written, so a copy of the SQLite file or a PostgreSQL \
            restored from a dump does, with no server running. Each version is written as the exact \
            bytes the client sent (<number>.tfstate, decrypted with the [encryption] keys), checked \
            against its recorded size, SHA-256 and MD5; manifest.json, written last, lists every \
            file's size and SHA-256. Files are owner-only: states hold secrets.
            """)

    @Argument(help: "The directory to write: new, or empty.")
    var directory: String

    @Option(name: .long, help: "Path to the config file (default: config.toml, or $STATEHOUSE_CONFIG).")
    var config: String?

    func run() throws {
        let start = ContinuousClock.now
        let (_, configuration) = try Serve.loadConfiguration(flag: self.config, environment: ProcessEnvironment.current)
        let store: any UnitOfWork
        do {
            store = try StoreFactory.openSource(configuration.storage, keys: configuration.encryption)
        } catch {
            throw ValidationError("cannot open \(StoreFactory.describe(configuration.storage)): \(error.message)")
        }
        let bars = BackupProgressBars()
        defer { bars.finish() }
        do {
            let files = try BackupDirectory.create(self.directory)
            let counts = try ExportStore(
                store: store, clock: SystemWallClock(), producer: "statehouse \(Statehouse.version)"
            ).execute(into: files) { bars($0) }
            bars.finish()
            print(
                "exported \(BackupProgressBars.describe(counts)) in "
                    + "\(BackupProgressBars.seconds(ContinuousClock.now - start)) into \(self.directory)")
        } catch {
            throw ValidationError("export failed: \(error.logDescription)")
        }
    }
}
