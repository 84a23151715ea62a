import Domain

/// S3 CompleteMultipartUpload: joins the parts of an upload, in the order the client lists them,
/// and writes the result as the state's next version, with every check of an S3 PUT.
public struct CompleteUpload: Sendable {
    /// The smallest part but the last, as S3 requires.
    public static let minPartBytes: Int64 = 5 << 20

    private let store: any UnitOfWork
    private let clock: any WallClock
    private let write: WriteState

    /// Creates the use case; `write` stores the joined body.
    public init(store: any UnitOfWork, clock: any WallClock, write: WriteState) {
        self.store = store
        self.clock = clock
        self.write = write
    }

    /// Joins the listed parts of upload `uploadID` to `name` (numbers ascending, each `etag` the
    /// part's MD5, all but the last at least `minPartBytes`) and writes the body fenced by the
    /// caller's principal and checked against `precondition`. The upload is removed in the write's
    /// transaction; a refused write keeps it, so the client may retry or abort. Returns the write's
    /// outcome and the MD5 of the parts' MD5s (S3's multipart ETag, before `-<count>`).
    public func execute(
        uploadID: String, name: StateName, parts: [(number: Int, etag: [UInt8])],
        precondition: WriteState.Precondition, as caller: Caller
    ) throws(ApplicationError) -> (WriteState.Outcome, md5OfPartMD5s: [UInt8]) {
        try caller.principal.require(.write, toChange: name)
        guard !parts.isEmpty, parts.count <= StoreUploadPart.partNumbers.count else {
            throw ApplicationError(.invalidInput, "a completion lists 1 to 10000 parts")
        }
        for (previous, next) in zip(parts, parts.dropFirst()) where previous.number >= next.number {
            throw ApplicationError(.invalidInput, "the parts must be listed in ascending order of their numbers")
        }
        let (body, stored) = try ApplicationError.translating {
            try self.store.transaction { transaction in
                _ = try transaction.uploads.upload(uploadID, to: name, for: caller, at: self.clock.now())
                let stored = try transaction.uploads.parts(uploadID: uploadID)
                let byNumber = Dictionary(uniqueKeysWithValues: stored.map { ($0.number, $0) })
                var size: Int64 = 0
                for (index, listed) in parts.enumerated() {
                    guard let part = byNumber[listed.number], part.md5 == listed.etag else {
                        throw ApplicationError(
                            .invalidInput, "part \(listed.number) of upload \(uploadID) is missing or has another ETag")
                    }
                    if index < parts.count - 1, part.size < Self.minPartBytes {
                        throw ApplicationError(
                            .invalidInput, "part \(listed.number) is smaller than 5 MiB and is not the last part")
                    }
                    size += part.size
                }
                var body: [UInt8] = []
                body.reserveCapacity(Int(size))
                for listed in parts {
                    guard let bytes = try transaction.uploads.partBytes(uploadID: uploadID, number: listed.number)
                    else {
                        throw ApplicationError(.fault, "part \(listed.number) of upload \(uploadID) has no bytes")
                    }
                    body += bytes
                }
                return (body, stored)
            }
        }
        let outcome = try self.write.execute(
            .init(name: name, body: body, fencing: .holderPrincipal, precondition: precondition, contentMD5: nil),
            as: caller
        ) { transaction in
            // Parts replaced since they were joined, or a completion that won a race: nothing is written.
            guard try transaction.uploads.uploadForUpdate(id: uploadID) != nil,
                try transaction.uploads.parts(uploadID: uploadID) == stored,
                try transaction.uploads.deleteUpload(id: uploadID)
            else {
                throw ApplicationError(
                    .conflict, "upload \(uploadID) changed while it was being completed; complete it again")
            }
        }
        return (outcome, StateBlob.md5(parts.flatMap(\.etag)))
    }
}
