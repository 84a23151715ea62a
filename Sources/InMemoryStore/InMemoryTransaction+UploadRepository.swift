import Application
import Domain

/// S3 multipart uploads and their parts.
extension InMemoryTransaction: UploadRepository {
    func insert(_ upload: StoredUpload) throws {
        guard self.contents.uploads[upload.id] == nil else {
            throw StoreError(.fault, "an upload with this id exists")
        }
        self.contents.uploads[upload.id] = upload
    }

    func uploadForUpdate(id: String) throws -> StoredUpload? {
        self.contents.uploads[id]
    }

    func uploadCount(principal: String) throws -> Int {
        self.contents.uploads.values.count { $0.principal == principal }
    }

    func parts(uploadID id: String) throws -> [UploadPart] {
        (self.contents.uploadParts[id] ?? [:]).values.map(\.part).sorted { $0.number < $1.number }
    }

    func storePart(_ part: UploadPart, bytes: [UInt8], uploadID id: String) throws {
        guard self.contents.uploads[id] != nil else { throw StoreError(.fault, "no upload \(id) for its part") }
        self.contents.uploadParts[id, default: [:]][part.number] = (part, bytes)
    }

    func partBytes(uploadID id: String, number: Int) throws -> [UInt8]? {
        self.contents.uploadParts[id]?[number]?.bytes
    }

    func deleteUpload(id: String) throws -> Bool {
        self.contents.uploadParts[id] = nil
        return self.contents.uploads.removeValue(forKey: id) != nil
    }

    func deleteStarted(before time: Timestamp, limit: Int) throws -> Int {
        let expired = self.contents.uploads.values.filter { $0.startedAt < time }.sorted { $0.startedAt < $1.startedAt }
        return try expired.prefix(limit).filter { try self.deleteUpload(id: $0.id) }.count
    }
}
