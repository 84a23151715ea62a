import CoreMetrics
import Domain

/// A store whose version contents, and S3 keys' secrets, are sealed with the key provider's
/// sealing key on the way in and opened on the way out, so that every use case reads and writes
/// plain gzip and nothing readable reaches the disk. An S3 secret is opened only where a use case
/// needs it, when its key is looked up by access key id; listings and backups carry it sealed. Versions stored unencrypted (before encryption was turned on, or
/// with no sealing key) are read as they are; one that names a key the provider lacks, or does
/// not verify, is a fault that names the state, the version and the key id, never wrong bytes.
public struct EncryptingStore: UnitOfWork {
    private let store: any UnitOfWork
    private let sealer: Sealer

    /// `store` with its contents sealed by `keys`; failures to open count in
    /// `statehouse_decryption_failures_total{reason}`.
    public init(
        wrapping store: any UnitOfWork, keys: any KeyProvider, factory: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.store = store
        self.sealer = Sealer(keys: keys, factory: factory)
    }

    /// Runs `work` in a transaction of the wrapped store, contents sealed and opened.
    public func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.store.transaction { try work(SealingTransaction(inner: $0, sealer: self.sealer)) }
    }

    /// Runs `work` in a releasing transaction of the wrapped store.
    public func releasingTransaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.store.releasingTransaction { try work(SealingTransaction(inner: $0, sealer: self.sealer)) }
    }

    /// Runs `work` as a read of the wrapped store.
    public func read<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.store.read { try work(SealingTransaction(inner: $0, sealer: self.sealer)) }
    }

    /// Runs `work` against a snapshot of the wrapped store.
    public func snapshot<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.store.snapshot { try work(SealingTransaction(inner: $0, sealer: self.sealer)) }
    }

    /// Pings the wrapped store.
    public func ping() throws(StoreError) { try self.store.ping() }
}

/// Seals and opens contents with a key provider, counting what does not open.
struct Sealer: Sendable {
    let keys: any KeyProvider
    fileprivate let unknownKey: Counter
    fileprivate let notAuthentic: Counter

    init(keys: any KeyProvider, factory: any MetricsFactory) {
        self.keys = keys
        let label = "statehouse_decryption_failures_total"
        self.unknownKey = Counter(label: label, dimensions: [("reason", "unknown_key")], factory: factory)
        self.notAuthentic = Counter(label: label, dimensions: [("reason", "not_authentic")], factory: factory)
    }

    /// `gzip` sealed for version `number` of `name` (keyed `stateID`) with the sealing key, or as it
    /// is when there is none.
    func seal(_ gzip: [UInt8], name: StateName, stateID: Int64, number: Int64) throws -> [UInt8] {
        guard let key = try self.keys.sealingKey() else { return gzip }
        return try self.seal(gzip, with: key, name: name, stateID: stateID, number: number)
    }

    /// `gzip` sealed for version `number` of `name` (keyed `stateID`) with `key`.
    func seal(_ gzip: [UInt8], with key: DataKey, name: StateName, stateID: Int64, number: Int64) throws -> [UInt8] {
        do {
            return try SealedContent.seal(gzip, with: key, name: name, stateID: stateID, number: number)
        } catch {
            throw StoreError(.fault, "sealing version \(number) of \(name) with key \(key.id) failed: \(error)")
        }
    }

    /// The gzip bytes of version `number` of `name` (keyed `stateID`) stored as `bytes`.
    func open(_ bytes: [UInt8], name: StateName, stateID: Int64, number: Int64) throws -> [UInt8] {
        guard SealedContent.isSealed(bytes) else { return bytes }
        do {
            return try SealedContent.open(bytes, keys: self.keys, name: name, stateID: stateID, number: number)
        } catch SealedContent.Failure.unknownKey(let id) {
            self.unknownKey.increment()
            throw StoreError(
                .fault,
                "version \(number) of \(name) is encrypted with key \(id), which is not in the key ring "
                    + "([encryption] keys)")
        } catch SealedContent.Failure.notAuthentic(let id) {
            self.notAuthentic.increment()
            throw StoreError(
                .fault,
                "version \(number) of \(name) does not decrypt with key \(id ?? "(unreadable)"): its stored bytes "
                    + "were changed or belong to another state or version")
        }
    }
}

extension Sealer {
    /// `material` with its secret sealed with the sealing key, or as it is when there is none or
    /// it is sealed already (copied from a backup).
    func seal(_ material: S3KeyMaterial) throws -> S3KeyMaterial {
        guard let secret = material.secret, let key = try self.keys.sealingKey() else { return material }
        return try self.seal(secret, with: key, accessKeyID: material.accessKeyID)
    }

    /// `secret` sealed with `key` for `accessKeyID`.
    func seal(_ secret: String, with key: DataKey, accessKeyID: String) throws -> S3KeyMaterial {
        do {
            return S3KeyMaterial(
                accessKeyID: accessKeyID,
                storedSecret: try SealedSecret.seal(secret, with: key, accessKeyID: accessKeyID))
        } catch {
            throw StoreError(.fault, "sealing the secret of S3 key \(accessKeyID) with key \(key.id) failed: \(error)")
        }
    }

    /// `material` with its secret opened (plain), failing closed when it does not open.
    func open(_ material: S3KeyMaterial) throws -> S3KeyMaterial {
        guard material.isSealed else { return material }
        let id = material.accessKeyID
        do {
            return S3KeyMaterial(
                accessKeyID: id, secret: try SealedSecret.open(material.storedSecret, keys: self.keys, accessKeyID: id))
        } catch SealedSecret.Failure.unknownKey(let keyID) {
            self.unknownKey.increment()
            throw StoreError(
                .fault,
                "the secret of S3 key \(id) is encrypted with key \(keyID), which is not in the key ring "
                    + "([encryption] keys)")
        } catch SealedSecret.Failure.notAuthentic(let keyID) {
            self.notAuthentic.increment()
            throw StoreError(
                .fault,
                "the secret of S3 key \(id) does not decrypt with key \(keyID ?? "(unreadable)"): its stored bytes were "
                    + "changed or belong to another key")
        }
    }

    /// Part `number` of upload `uploadID` sealed with the sealing key, or as it is when there is
    /// none.
    func seal(part bytes: [UInt8], uploadID: String, number: Int) throws -> [UInt8] {
        guard let key = try self.keys.sealingKey() else { return bytes }
        do {
            return try SealedContent.seal(part: bytes, with: key, uploadID: uploadID, number: number)
        } catch {
            throw StoreError(.fault, "sealing part \(number) of upload \(uploadID) with key \(key.id) failed: \(error)")
        }
    }

    /// Part `number` of upload `uploadID` stored as `bytes`.
    func open(part bytes: [UInt8], uploadID: String, number: Int) throws -> [UInt8] {
        guard SealedContent.isSealed(bytes) else { return bytes }
        do {
            return try SealedContent.open(part: bytes, keys: self.keys, uploadID: uploadID, number: number)
        } catch {
            throw StoreError(.fault, "part \(number) of upload \(uploadID) does not decrypt: \(error)")
        }
    }
}

/// A transaction whose state contents pass through a sealer.
private struct SealingTransaction: Transaction {
    let inner: any Transaction
    let sealer: Sealer

    var states: any StateRepository { SealingStates(inner: self.inner.states, sealer: self.sealer) }
    var catalog: any StateCatalog { self.inner.catalog }
    var audit: any AuditLog { self.inner.audit }
    var imports: any StateImport { SealingImports(inner: self.inner.imports, sealer: self.sealer) }
    var pruning: any HistoryPruning { self.inner.pruning }
    var tokens: any TokenRepository { SealingTokens(inner: self.inner.tokens, sealer: self.sealer) }
    var sessions: any SessionRepository { self.inner.sessions }
    var uploads: any UploadRepository { SealingUploads(inner: self.inner.uploads, sealer: self.sealer) }
    /// Raw by definition: rekey reads and replaces the sealed bytes themselves.
    var storedContents: any StoredContents { self.inner.storedContents }
}

private struct SealingStates: StateRepository {
    let inner: any StateRepository
    let sealer: Sealer

    func stateForUpdate(named name: StateName) throws -> StoredState? { try self.inner.stateForUpdate(named: name) }

    func createStateForUpdate(named name: StateName, at time: Timestamp) throws -> StoredState {
        try self.inner.createStateForUpdate(named: name, at: time)
    }

    func currentVersion(named name: StateName) throws -> (stateID: Int64, version: VersionRecord)? {
        try self.inner.currentVersion(named: name)
    }

    func content(of name: StateName, stateID: Int64, version number: Int64) throws -> [UInt8]? {
        try self.inner.content(of: name, stateID: stateID, version: number).map {
            try self.sealer.open($0, name: name, stateID: stateID, number: number)
        }
    }

    func setLock(_ lock: StoredLock?, on state: StoredState) throws { try self.inner.setLock(lock, on: state) }

    func appendVersion(_ version: NewVersion, to state: StoredState) throws -> VersionRecord {
        let sealed = try self.sealer.seal(
            version.blob.gzip, name: state.name, stateID: state.id, number: state.nextVersionNumber)
        return try self.inner.appendVersion(version.storing(sealed), to: state)
    }

    func markDeleted(_ state: StoredState, at time: Timestamp, by principal: String) throws {
        try self.inner.markDeleted(state, at: time, by: principal)
    }

    func restoreState(stateID: Int64) throws -> Bool { try self.inner.restoreState(stateID: stateID) }

    func purgeVersion(stateID: Int64, number: Int64, _ purge: Purge) throws {
        try self.inner.purgeVersion(stateID: stateID, number: number, purge)
    }
}

/// Tokens whose S3 secrets are sealed when inserted and opened when looked up by access key id.
private struct SealingTokens: TokenRepository {
    let inner: any TokenRepository
    let sealer: Sealer

    func insert(_ token: StoredToken) throws {
        try self.inner.insert(token.with(s3: try token.s3.map(self.sealer.seal)))
    }

    func token(secretHash: [UInt8]) throws -> StoredToken? { try self.inner.token(secretHash: secretHash) }

    func token(accessKeyID: String) throws -> StoredToken? {
        try self.inner.token(accessKeyID: accessKeyID).map { $0.with(s3: try $0.s3.map(self.sealer.open)) }
    }

    func token(id: String) throws -> StoredToken? { try self.inner.token(id: id) }

    func unrevokedTokens(owner: String?) throws -> [StoredToken] { try self.inner.unrevokedTokens(owner: owner) }

    func revoke(id: String, at: Timestamp) throws -> Bool { try self.inner.revoke(id: id, at: at) }

    func replaceS3Secret(id: String, storedSecret: [UInt8]) throws {
        try self.inner.replaceS3Secret(id: id, storedSecret: storedSecret)
    }

    func markUsed(id: String, at: Timestamp) throws { try self.inner.markUsed(id: id, at: at) }
}

/// Upload parts sealed like versions, so that a state sent in parts is never readable on disk.
private struct SealingUploads: UploadRepository {
    let inner: any UploadRepository
    let sealer: Sealer

    func insert(_ upload: StoredUpload) throws { try self.inner.insert(upload) }
    func uploadForUpdate(id: String) throws -> StoredUpload? { try self.inner.uploadForUpdate(id: id) }
    func uploadCount(principal: String) throws -> Int { try self.inner.uploadCount(principal: principal) }
    func parts(uploadID id: String) throws -> [UploadPart] { try self.inner.parts(uploadID: id) }

    func storePart(_ part: UploadPart, bytes: [UInt8], uploadID id: String) throws {
        try self.inner.storePart(
            part, bytes: try self.sealer.seal(part: bytes, uploadID: id, number: part.number), uploadID: id)
    }

    func partBytes(uploadID id: String, number: Int) throws -> [UInt8]? {
        try self.inner.partBytes(uploadID: id, number: number).map {
            try self.sealer.open(part: $0, uploadID: id, number: number)
        }
    }

    func deleteUpload(id: String) throws -> Bool { try self.inner.deleteUpload(id: id) }
    func deleteStarted(before time: Timestamp, limit: Int) throws -> Int {
        try self.inner.deleteStarted(before: time, limit: limit)
    }
}

private struct SealingImports: StateImport {
    let inner: any StateImport
    let sealer: Sealer

    func insertState(_ entry: StateEntry) throws -> Int64 { try self.inner.insertState(entry) }

    func insertVersion(_ record: VersionRecord, gzip: [UInt8]?, of name: StateName, stateID: Int64) throws {
        let sealed = try gzip.map { try self.sealer.seal($0, name: name, stateID: stateID, number: record.number) }
        try self.inner.insertVersion(record, gzip: sealed, of: name, stateID: stateID)
    }

    func setLatest(_ number: Int64, stateID: Int64) throws { try self.inner.setLatest(number, stateID: stateID) }
}

extension NewVersion {
    /// The same version with `content` stored in place of its gzip bytes.
    fileprivate func storing(_ content: [UInt8]) -> NewVersion {
        NewVersion(
            serial: self.serial, lineage: self.lineage,
            blob: StateBlob(size: self.blob.size, sha256: self.blob.sha256, md5: self.blob.md5, gzip: content),
            createdAt: self.createdAt, createdBy: self.createdBy, lockID: self.lockID, metadata: self.metadata,
            rollbackOf: self.rollbackOf)
    }
}
