import CoreMetrics
import Domain

/// Re-encrypts every stored version that is not yet sealed with the key provider's sealing key
/// (sealed with an older key, or plain gzip from before encryption), so that older keys can be
/// removed. Online: small batches, each its own short transaction that takes no state's row lock,
/// so servers keep reading and writing; resumable: what a batch re-sealed stays so, and a run
/// after an interruption finds only what is left. Recorded in the audit log as one event.
///
/// A version that does not open (its key is not in the ring, or its tag does not verify) stops
/// the run with an error naming the state, the version and the key id: skipping it would end in
/// a summary that invites removing a key some version still needs.
public struct RekeyStore: Sendable {
    /// What one run did.
    public struct Report: Equatable, Sendable {
        /// The sealing key's id.
        public var keyID: String
        /// Versions re-sealed, by the id of the key they were sealed with.
        public var fromKeys: [String: Int] = [:]
        /// Versions re-sealed that were stored unencrypted.
        public var plain = 0
        /// Versions found sealed with the sealing key already.
        public var alreadySealed = 0
        /// Versions still not sealed with the sealing key when the run ended: written meanwhile by
        /// a server whose ring has another key first.
        public var left = 0
        /// S3 keys' secrets re-sealed (from an older key or unencrypted).
        public var s3Secrets = 0
        /// Stored bytes read and re-sealed.
        public var bytes: Int64 = 0
        /// How long the run took.
        public var elapsed: Duration = .zero

        /// Versions re-sealed in all.
        public var versions: Int { self.fromKeys.values.reduce(self.plain, +) }

        /// "412 versions re-encrypted with key 2026-12 (300 from 2026-06, 112 unencrypted)".
        public var summary: String {
            var sources = self.fromKeys.sorted { $0.key < $1.key }.map { "\($0.value) from \($0.key)" }
            if self.plain > 0 { sources.append("\(self.plain) unencrypted") }
            return "\(self.versions) versions re-encrypted with key \(self.keyID)"
                + (sources.isEmpty ? "" : " (\(sources.joined(separator: ", ")))")
                + (self.s3Secrets == 0 ? "" : "; \(self.s3Secrets) S3 key secrets re-encrypted")
                + (self.left == 0
                    ? ""
                    : "; \(self.left) versions written meanwhile are not under it yet: does every server have key "
                        + "\(self.keyID) first? Then run rekey again")
        }

        /// Counts what `other` (a batch) did too.
        mutating func add(_ other: Report) {
            self.fromKeys.merge(other.fromKeys, uniquingKeysWith: +)
            self.plain += other.plain
            self.bytes += other.bytes
        }
    }

    /// Where a run is, after each batch.
    public struct Progress: Equatable, Sendable {
        /// Versions to re-seal, as counted when the run began (ones written meanwhile are
        /// sealed with the sealing key already).
        public let total: Int
        /// Versions the last batch re-sealed.
        public let versions: Int
        /// Their stored bytes.
        public let bytes: Int64
    }

    private let store: any UnitOfWork
    private let sealer: Sealer
    private let clock: any WallClock
    private let caller: Caller
    private let batchSize: Int
    private let batchBytes: Int64

    /// Creates the use case: `batchSize` versions at most in a batch, and no more stored bytes
    /// than `batchBytes` unless a single version is larger. Failures to open count in
    /// `statehouse_decryption_failures_total{reason}`.
    public init(
        store: any UnitOfWork, keys: any KeyProvider, clock: any WallClock, caller: Caller, batchSize: Int = 64,
        batchBytes: Int64 = 32 << 20, factory: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.store = store
        self.sealer = Sealer(keys: keys, factory: factory)
        self.clock = clock
        self.caller = caller
        self.batchSize = max(1, batchSize)
        self.batchBytes = max(1, batchBytes)
    }

    /// Re-seals every version not sealed with the sealing key, telling `progress` after each
    /// batch; refuses when there is no sealing key. The audit event is written whether the run
    /// finishes or stops, saying what was done.
    public func execute(progress: (Progress) -> Void = { _ in }) throws(ApplicationError) -> Report {
        let started = ContinuousClock.now
        let key = try ApplicationError.translating { try self.sealer.keys.sealingKey() }
        guard let key else {
            throw ApplicationError(
                .invalidInput,
                "no encryption key is configured, so there is nothing to encrypt with ([encryption] keys)")
        }
        let header = SealedContent.header(keyID: key.id)
        var report = Report(keyID: key.id)
        do {
            let tally = try ApplicationError.translating {
                try self.store.snapshot { try $0.storedContents.tally(prefix: header) }
            }
            report.alreadySealed = tally.matching
            var position: ContentPosition? = nil
            while true {
                let batch = try self.batch(after: position, key: key, header: header)
                guard let last = batch.last else { break }
                position = last
                report.add(batch.done)
                progress(Progress(total: tally.others, versions: batch.done.versions, bytes: batch.done.bytes))
            }
            report.s3Secrets = try self.resealS3Secrets(with: key)
            report.left = try ApplicationError.translating {
                try self.store.snapshot { try $0.storedContents.tally(prefix: header).others }
            }
        } catch {
            report.elapsed = ContinuousClock.now - started
            try? self.record(report, stopped: error.message)
            throw ApplicationError(
                error.kind, "rekey stopped after \(report.versions) versions: \(error.message)", detail: error.detail)
        }
        report.elapsed = ContinuousClock.now - started
        try self.record(report, stopped: nil)
        return report
    }

    /// What one batch did, and the last version it looked at (`nil`: none was left).
    private struct Batch {
        var last: ContentPosition?
        var done: Report
    }

    /// Re-seals the next batch after `position` in one transaction.
    private func batch(after position: ContentPosition?, key: DataKey, header: [UInt8]) throws(ApplicationError)
        -> Batch
    {
        try ApplicationError.translating {
            try self.store.transaction { transaction in
                let contents = transaction.storedContents
                var batch = Batch(done: Report(keyID: key.id))
                var taken: Int64 = 0
                for entry in try contents.versions(notBeginningWith: header, after: position, limit: self.batchSize) {
                    if batch.last != nil && taken + entry.size > self.batchBytes { break }
                    batch.last = entry.position
                    taken += entry.size
                    let number = entry.position.number
                    // Purged, or re-sealed by another run, since the listing.
                    guard let stored = try contents.content(stateID: entry.position.stateID, number: number),
                        !stored.starts(with: header)
                    else { continue }
                    let gzip: [UInt8]
                    do {
                        gzip = try self.sealer.open(
                            stored, name: entry.name, stateID: entry.position.stateID, number: number)
                    } catch let error as StoreError {
                        throw ApplicationError(.fault, error.message)
                    }
                    let sealed = try self.sealer.seal(
                        gzip, with: key, name: entry.name, stateID: entry.position.stateID, number: number)
                    guard try contents.replace(stateID: entry.position.stateID, number: number, with: sealed) else {
                        continue
                    }
                    if SealedContent.isSealed(stored) {
                        batch.done.fromKeys[try SealedContent.keyID(of: stored), default: 0] += 1
                    } else {
                        batch.done.plain += 1
                    }
                    batch.done.bytes += Int64(stored.count)
                }
                return batch
            }
        }
    }

    /// Re-seals with `key` the secrets of the unrevoked S3 keys not sealed with it, in one
    /// transaction; how many.
    private func resealS3Secrets(with key: DataKey) throws(ApplicationError) -> Int {
        try ApplicationError.translating {
            try self.store.transaction { transaction in
                var count = 0
                for token in try transaction.tokens.unrevokedTokens(owner: nil) {
                    guard let material = token.s3,
                        !material.isSealed || (try? SealedSecret.keyID(of: material.storedSecret)) != key.id
                    else { continue }
                    let opened: S3KeyMaterial
                    do {
                        opened = try self.sealer.open(material)
                    } catch let error as StoreError {
                        throw ApplicationError(.fault, error.message)
                    }
                    guard let secret = opened.secret else { continue }
                    let sealed = try self.sealer.seal(secret, with: key, accessKeyID: material.accessKeyID)
                    try transaction.tokens.replaceS3Secret(id: token.id, storedSecret: sealed.storedSecret)
                    count += 1
                }
                return count
            }
        }
    }

    /// Writes the run's audit event, saying why it stopped when it did.
    private func record(_ report: Report, stopped reason: String?) throws(ApplicationError) {
        let detail = report.summary + (reason.map { "; stopped: \($0)" } ?? "")
        try ApplicationError.translating {
            try self.store.transaction { transaction in
                try transaction.audit.append(
                    AuditEvent(
                        at: self.clock.now(), action: .rekey, state: nil, user: self.caller.principal.name,
                        address: self.caller.address, requestID: self.caller.requestID, detail: detail))
            }
        }
    }
}
