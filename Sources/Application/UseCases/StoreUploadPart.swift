import Domain

/// S3 UploadPart: stores one numbered part of an open upload.
public struct StoreUploadPart: Sendable {
    /// Part numbers, as S3 allows them.
    public static let partNumbers = 1...10_000

    private let store: any UnitOfWork
    private let clock: any WallClock
    private let maxBytes: Int

    /// Creates the use case; an upload's parts together hold at most `maxBytes` (the largest
    /// state the server accepts).
    public init(store: any UnitOfWork, clock: any WallClock, maxBytes: Int) {
        self.store = store
        self.clock = clock
        self.maxBytes = maxBytes
    }

    /// Stores `body` as part `part` of upload `uploadID` to `name`, replacing an earlier part with
    /// that number; returns the part's MD5 (its ETag). Only the principal that started the
    /// upload may add to it.
    public func execute(uploadID: String, name: StateName, part: Int, body: [UInt8], as caller: Caller)
        throws(ApplicationError) -> [UInt8]
    {
        try caller.principal.require(.write, toChange: name)
        guard Self.partNumbers.contains(part) else {
            throw ApplicationError(.invalidInput, "a part number is 1 to \(Self.partNumbers.upperBound)")
        }
        guard body.count <= self.maxBytes else { throw self.tooLarge }
        let md5 = StateBlob.md5(body)
        try ApplicationError.translating {
            try self.store.transaction { transaction in
                _ = try transaction.uploads.upload(uploadID, to: name, for: caller, at: self.clock.now())
                let others = try transaction.uploads.parts(uploadID: uploadID).filter { $0.number != part }
                guard others.reduce(Int64(body.count), { $0 + $1.size }) <= Int64(self.maxBytes) else {
                    throw self.tooLarge
                }
                try transaction.uploads.storePart(
                    UploadPart(number: part, size: Int64(body.count), md5: md5), bytes: body, uploadID: uploadID)
            }
        }
        return md5
    }

    private var tooLarge: ApplicationError {
        ApplicationError(.invalidInput, "the upload would be larger than the largest state, \(self.maxBytes) bytes")
    }
}
