import Application
import ArgumentParser
import BackupDirectory
import Logging

/// `statehouse import DIR [--merge]`: restores a backup written by `statehouse export` into the
/// configured store.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup written by export into the configured store.",
        discussion: """
            Reads manifest.json, then checks every file's size and SHA-256 and every version against \
            its recorded digests before writing anything. Without --merge the store must hold no \
            state, and receives everything exactly as exported (times, users, locks, deletions, \
            purges, version numbers) in one transaction, sealed with the first [encryption] key. With \
            --merge it receives only what it lacks: states it does not hold, versions after its \
            latest of a state it holds, audit events and API tokens it does not have; a version \
            number whose SHA-256 differs on the two sides is a conflict, and nothing is written.
            """)

    @Argument(help: "The backup directory, as export wrote it.")
    var directory: String

    @Flag(help: "Add only what the store lacks, into a store that already holds states.")
    var merge = false

    @Option(name: .long, help: "Path to the config file (default: config.toml, or $STATEHOUSE_CONFIG).")
    var config: String?

    func run() throws {
        let start = ContinuousClock.now
        let (_, configuration) = try Serve.loadConfiguration(flag: self.config, environment: ProcessEnvironment.current)
        guard configuration.storage.driver != .memory else {
            throw ValidationError("storage.driver is memory: an import would be lost when the command exits")
        }
        let store: any UnitOfWork
        do {
            store = try StoreFactory.make(
                configuration.storage, keys: configuration.encryption, logger: Logger(label: "statehouse"))
        } catch {
            throw ValidationError("cannot open \(StoreFactory.describe(configuration.storage)): \(error.message)")
        }
        let bars = BackupProgressBars()
        defer { bars.finish() }
        do {
            let files = try BackupDirectory.open(self.directory)
            let report = try ImportStore(store: store, compressionLevel: configuration.compressionLevel).execute(
                from: files, merge: self.merge
            ) { bars($0) }
            bars.finish()
            let time = BackupProgressBars.seconds(ContinuousClock.now - start)
            if self.merge {
                print("added \(BackupProgressBars.describe(report.added)) in \(time)")
                print("already there: \(BackupProgressBars.describe(report.present))")
            } else {
                print("imported \(BackupProgressBars.describe(report.added)) in \(time)")
            }
        } catch {
            throw ValidationError("import failed: \(error.logDescription)")
        }
    }
}
