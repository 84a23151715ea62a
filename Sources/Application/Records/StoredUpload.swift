import Domain

/// An S3 multipart upload in progress: a state's next body, sent in numbered parts.
public struct StoredUpload: Equatable, Sendable {
    /// The upload ID the client names it by.
    public let id: String
    /// The state it will be written to.
    public let name: StateName
    /// The principal that started it, the only one that may add to, complete or abort it.
    public let principal: String
    /// When it was started.
    public let startedAt: Timestamp

    /// Creates a record.
    public init(id: String, name: StateName, principal: String, startedAt: Timestamp) {
        self.id = id
        self.name = name
        self.principal = principal
        self.startedAt = startedAt
    }
}

extension StoredUpload {
    /// How long an upload stays open: an older one is unknown to its client and removed by
    /// retention, with its parts.
    public static let lifetimeSeconds: Int64 = 24 * 3600

    /// Whether the upload is past its lifetime at `now`.
    public func isExpired(at now: Timestamp) -> Bool {
        now.microseconds - self.startedAt.microseconds >= Self.lifetimeSeconds * 1_000_000
    }
}

/// One stored part of an upload, without its bytes.
public struct UploadPart: Equatable, Sendable {
    /// The part number, 1 to 10,000.
    public let number: Int
    /// Its size in bytes.
    public let size: Int64
    /// MD5 of its bytes (its ETag).
    public let md5: [UInt8]

    /// Creates a record.
    public init(number: Int, size: Int64, md5: [UInt8]) {
        self.number = number
        self.size = size
        self.md5 = md5
    }
}
