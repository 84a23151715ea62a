import Domain

extension UploadRepository {
    /// Upload `id` to `name`, locked for update, when `caller` started it and it has not expired
    /// at `now` (when given): `notFound` (saying "upload") when there is no such upload, `forbidden` when
    /// another principal started it.
    func upload(_ id: String, to name: StateName, for caller: Caller, at now: Timestamp?) throws -> StoredUpload {
        guard id.utf8.count <= StartUpload.maxIDBytes, let upload = try self.uploadForUpdate(id: id),
            upload.name == name, !(now.map(upload.isExpired) ?? false)
        else {
            throw ApplicationError(.notFound, "no upload \(id.prefix(StartUpload.maxIDBytes)) to state \(name)")
        }
        guard upload.principal == caller.principal.name else {
            throw ApplicationError(.forbidden, "upload \(id) to state \(name) was started by another principal")
        }
        return upload
    }
}
