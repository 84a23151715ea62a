import Domain

/// The ports of one open transaction, one for each role; a use case takes the ones it needs, and
/// all of them read and change the same transaction.
public protocol Transaction {
    /// States, their locks and their versions, as the protocol and the repairs change them.
    var states: any StateRepository { get }
    /// Listings and lookups that take no row lock: the management API, retention, copies.
    var catalog: any StateCatalog { get }
    /// The audit trail.
    var audit: any AuditLog { get }
    /// States and versions inserted exactly as another store recorded them (migrate-store).
    var imports: any StateImport { get }
    /// History removed for good (retention).
    var pruning: any HistoryPruning { get }
    /// API tokens.
    var tokens: any TokenRepository { get }
    /// Web UI sessions.
    var sessions: any SessionRepository { get }
    /// S3 multipart uploads in progress.
    var uploads: any UploadRepository { get }
    /// Versions' contents as stored, sealed or not (rekey); no decorator opens or seals them.
    var storedContents: any StoredContents { get }
}
