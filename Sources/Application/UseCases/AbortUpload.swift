import Domain

/// S3 AbortMultipartUpload: removes an open upload and its parts.
public struct AbortUpload: Sendable {
    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Removes upload `uploadID` to `name`; only the principal that started it may.
    public func execute(uploadID: String, name: StateName, as caller: Caller) throws(ApplicationError) {
        try caller.principal.require(.write, on: name)
        try ApplicationError.translating {
            try self.store.transaction { transaction in
                // Expired ones too: retention would remove them anyway.
                let upload = try transaction.uploads.upload(uploadID, to: name, for: caller, at: nil)
                _ = try transaction.uploads.deleteUpload(id: upload.id)
            }
        }
    }
}
