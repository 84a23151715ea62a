import Application
import ArgumentParser
import Domain
import Logging
import SQLiteStore

/// `statehouse rekey`: re-encrypts every stored version still under an older key, or stored
/// unencrypted, with the first key of the configuration, while servers keep serving.
struct Rekey: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-encrypt every stored version with the first [encryption] key, online.",
        discussion: """
            Reads the store and the keys from the same configuration as serve. Versions are \
            re-encrypted a batch at a time, each batch its own short transaction that locks no \
            state, so servers keep serving meanwhile; an interrupted run loses nothing, and running \
            it again finishes the job. A version whose key is missing from the ring, or that does \
            not verify, stops the run and is named. Progress goes to standard error, the summary to \
            standard output; the audit log records the run (action rekey). Afterwards the old keys \
            can be removed from every server's configuration.
            """)

    @Option(name: .long, help: "Path to the config file (default: config.toml, or $STATEHOUSE_CONFIG).")
    var config: String?

    @Option(name: .long, help: "Versions re-encrypted per transaction, 1 to 1000 (fewer when they are large).")
    var batch = 64

    func validate() throws {
        guard (1...1000).contains(self.batch) else { throw ValidationError("--batch must be 1 to 1000") }
    }

    func run() throws {
        let (_, configuration) = try Serve.loadConfiguration(flag: self.config, environment: ProcessEnvironment.current)
        let keys = configuration.encryption
        guard let key = keys.sealingKey() else {
            throw ValidationError(
                "no encryption key is configured ([encryption] keys, key_file or STATEHOUSE_ENCRYPTION_KEYS): "
                    + "nothing to encrypt with")
        }
        let storage = configuration.storage
        guard storage.driver != .memory else {
            throw ValidationError("storage.driver is memory: a new process has no stored versions to re-encrypt")
        }
        let raw: any UnitOfWork
        do {
            raw = try StoreFactory.open(storage, logger: Logger(label: "statehouse"))
        } catch {
            throw ValidationError("cannot open \(StoreFactory.describe(storage)): \(error.message)")
        }
        let rekey = RekeyStore(
            store: EncryptingStore(wrapping: raw, keys: keys), keys: keys, clock: SystemWallClock(),
            caller: Caller(Principal(name: "statehouse", grants: [])), batchSize: self.batch)
        var bar: ProgressBar?
        let report: RekeyStore.Report
        do {
            report = try rekey.execute { progress in
                if bar == nil { bar = ProgressBar("rekey", total: progress.total, unit: "versions") }
                bar?.advance(by: progress.versions, bytes: progress.bytes)
            }
            bar?.finish()
        } catch {
            bar?.finish()
            throw ValidationError(error.logDescription)
        }
        let seconds = Double(report.elapsed.components.seconds) + Double(report.elapsed.components.attoseconds) / 1e18
        print(
            "\(report.summary); \(report.alreadySealed) versions were under key \(key.id) already; "
                + "\(tenths(Double(report.bytes) / 1_000_000)) MB in \(tenths(seconds)) s")
        if let sqlite = raw as? SQLiteStore {
            // secure_delete (always on) zeroed the old contents' pages; the log still holds page
            // images until it is checkpointed and cut back.
            do {
                if try !sqlite.truncateLog() {
                    print("the write-ahead log is still in use; old page images go at the next checkpoint")
                }
            } catch {
                throw ValidationError("truncating the write-ahead log failed: \(error.message)")
            }
        } else if report.versions > 0 {
            print(
                "PostgreSQL keeps the old row versions until they are vacuumed: run VACUUM FULL state_versions "
                    + "in a maintenance window to rewrite the table without them (docs/operations.md)")
        }
    }
}

/// `value` with one decimal, such as `12.3`.
private func tenths(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}
