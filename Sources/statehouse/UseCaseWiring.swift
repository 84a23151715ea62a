import Application
import CoreMetrics
import Domain
import Logging
import S3API
import WebAPI
import WebUI

/// The composition root's wiring of the use cases: every one over the same store, clock, content
/// cache and heavy work permits.
enum UseCaseWiring {
    /// Every use case the API drives; diffs compare, and outputs are read from, versions of at most
    /// `maxDiffBytes`; API tokens live as `tokens` says.
    static func api(
        store: any UnitOfWork, clock: any WallClock, cache: ContentCache, policy: WritePolicy, compressionLevel: Int32,
        heavyWork: HeavyWork, maxDiffBytes: Int64, tokens: TokenPolicy = .standard
    ) -> StatehouseAPI.UseCases {
        StatehouseAPI.UseCases(
            read: ReadState(store: store, cache: cache, heavyWork: heavyWork),
            write: WriteState(store: store, clock: clock, policy: policy, compressionLevel: compressionLevel),
            lock: LockState(store: store, clock: clock),
            unlock: UnlockState(store: store, clock: clock),
            delete: DeleteState(store: store, clock: clock),
            listStates: ListStates(store: store),
            showState: ShowState(store: store),
            listLocks: ListLocks(store: store, clock: clock),
            forceUnlock: ForceUnlock(store: store, clock: clock),
            listVersions: ListVersions(store: store),
            purgeVersion: PurgeVersion(store: store, clock: clock, cache: cache),
            rollback: RollbackState(store: store, clock: clock, compressionLevel: compressionLevel),
            diff: DiffVersions(store: store, maxVersionBytes: maxDiffBytes),
            outputs: ShowOutputs(store: store, maxVersionBytes: maxDiffBytes),
            restore: RestoreState(store: store, clock: clock),
            audit: ReadAudit(store: store),
            readiness: CheckReadiness(store: store),
            lockSummary: SummarizeLocks(store: store, clock: clock),
            createToken: CreateToken(store: store, clock: clock, policy: tokens),
            listTokens: ListTokens(store: store),
            revokeToken: RevokeToken(store: store, clock: clock),
            heavyWork: heavyWork)
    }

    /// The web UI's sessions: signed in through `authenticator` (the API's, so that both share the
    /// login throttle), living as `policy` says.
    static func sessions(
        store: any UnitOfWork, clock: any WallClock, authenticator: Authenticator, policy: SessionPolicy,
        logger: Logger, factory: any MetricsFactory = NOOPMetricsHandler.instance
    ) -> SessionUseCases {
        SessionUseCases(
            start: StartSession(
                store: store, authenticator: authenticator, clock: clock, policy: policy, logger: logger,
                factory: factory),
            resume: ResumeSession(store: store, authenticator: authenticator, clock: clock),
            end: EndSession(store: store, logger: logger, factory: factory))
    }

    /// Every use case the web UI drives, over the API's store, content cache and heavy work permits.
    static func ui(
        store: any UnitOfWork, clock: any WallClock, cache: ContentCache, compressionLevel: Int32, heavyWork: HeavyWork,
        maxDiffBytes: Int64, sessions: SessionUseCases
    ) -> WebUI.UseCases {
        WebUI.UseCases(
            sessions: sessions, listStates: ListStates(store: store), showState: ShowState(store: store),
            showOutputs: ShowOutputs(store: store, maxVersionBytes: maxDiffBytes),
            listVersions: ListVersions(store: store), read: ReadState(store: store, cache: cache, heavyWork: heavyWork),
            diff: DiffVersions(store: store, maxVersionBytes: maxDiffBytes),
            rollback: RollbackState(store: store, clock: clock, compressionLevel: compressionLevel),
            forceUnlock: ForceUnlock(store: store, clock: clock), delete: DeleteState(store: store, clock: clock),
            restore: RestoreState(store: store, clock: clock), listLocks: ListLocks(store: store, clock: clock),
            audit: ReadAudit(store: store), heavyWork: heavyWork)
    }

    /// Every use case the S3 endpoint drives, over the API's store, content cache and heavy work
    /// permits; a multipart upload holds at most `maxStateBytes`.
    static func s3(
        store: any UnitOfWork, clock: any WallClock, cache: ContentCache, policy: WritePolicy, compressionLevel: Int32,
        heavyWork: HeavyWork, maxStateBytes: Int
    ) -> S3API.UseCases {
        let write = WriteState(store: store, clock: clock, policy: policy, compressionLevel: compressionLevel)
        return S3API.UseCases(
            read: ReadState(store: store, cache: cache, heavyWork: heavyWork), write: write,
            lock: LockState(store: store, clock: clock), readLock: ReadLock(store: store),
            releaseLock: ReleaseLockFile(store: store, clock: clock), delete: DeleteState(store: store, clock: clock),
            list: ListObjects(store: store), startUpload: StartUpload(store: store, clock: clock),
            storePart: StoreUploadPart(store: store, clock: clock, maxBytes: maxStateBytes),
            completeUpload: CompleteUpload(store: store, clock: clock, write: write),
            abortUpload: AbortUpload(store: store))
    }
}
