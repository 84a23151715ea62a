import Logging
import Metrics

/// Signs out of the web UI: removes the session whose cookie holds the secret. Ending a session
/// that is gone already does nothing.
public struct EndSession: Sendable {
    private let store: any UnitOfWork
    private let logger: Logger
    private let ended: Counter

    /// Creates the use case; it logs sign-outs to `logger` and counts them through `factory`.
    public init(store: any UnitOfWork, logger: Logger, factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.store = store
        self.logger = logger
        self.ended = SessionMetrics.ended(.signedOut, factory: factory)
    }

    /// Ends the session whose cookie holds `secret`, if there is one.
    public func execute(secret: String) throws(ApplicationError) {
        guard SessionSecret.isWellFormed(secret) else { return }
        let hash = SessionSecret.hash(secret)
        let removed = try ApplicationError.translating {
            try self.store.transaction { try $0.sessions.delete(secretHash: hash) }
        }
        guard let removed else { return }
        self.ended.increment()
        var metadata: Logger.Metadata = ["user": .string(removed.holder.userName)]
        if case .token(let id, _) = removed.holder { metadata["token"] = .string(id) }
        self.logger.info("signed out", metadata: metadata)
    }
}
