import Application
import Domain

/// S3 multipart uploads in a SQL store's `s3_uploads` table, their parts in `s3_upload_parts`.
struct SQLUploadRepository: UploadRepository {
    let connection: any SQLConnection
    let dialect: SQLDialect

    private static let columns = "id, name, principal, started_at"

    func insert(_ upload: StoredUpload) throws {
        try self.connection.query(
            "INSERT INTO s3_uploads (\(Self.columns)) VALUES ($1, $2, $3, $4)",
            [.text(upload.id), .text(upload.name.rawValue), .text(upload.principal), .timestamp(upload.startedAt)])
    }

    func uploadForUpdate(id: String) throws -> StoredUpload? {
        try self.connection.rows(
            "SELECT \(Self.columns) FROM s3_uploads WHERE id = $1\(self.dialect.forUpdate)", [.text(id)]
        ) { row in
            StoredUpload(
                id: row.text(0), name: try StateRows.name(row.text(1)), principal: row.text(2),
                startedAt: row.timestamp(3))
        }.first
    }

    func uploadCount(principal: String) throws -> Int {
        try self.connection.rows("SELECT count(*) FROM s3_uploads WHERE principal = $1", [.text(principal)]) {
            Int($0.int64(0))
        }.first ?? 0
    }

    func parts(uploadID id: String) throws -> [UploadPart] {
        try self.connection.rows(
            "SELECT number, size, md5 FROM s3_upload_parts WHERE upload_id = $1 ORDER BY number", [.text(id)]
        ) { UploadPart(number: Int($0.int64(0)), size: $0.int64(1), md5: $0.bytes(2)) }
    }

    func storePart(_ part: UploadPart, bytes: [UInt8], uploadID id: String) throws {
        try self.connection.query(
            """
            INSERT INTO s3_upload_parts (upload_id, number, size, md5, content) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (upload_id, number)
            DO UPDATE SET size = excluded.size, md5 = excluded.md5, content = excluded.content
            """,
            [.text(id), .int64(Int64(part.number)), .int64(part.size), .bytes(part.md5), .bytes(bytes)])
    }

    func partBytes(uploadID id: String, number: Int) throws -> [UInt8]? {
        try self.connection.rows(
            "SELECT content FROM s3_upload_parts WHERE upload_id = $1 AND number = $2",
            [.text(id), .int64(Int64(number))]
        ) { $0.bytes(0) }.first
    }

    func deleteUpload(id: String) throws -> Bool {
        try self.connection.query("DELETE FROM s3_upload_parts WHERE upload_id = $1", [.text(id)])
        return try !self.connection.rows("DELETE FROM s3_uploads WHERE id = $1 RETURNING id", [.text(id)]) { _ in () }
            .isEmpty
    }

    func deleteStarted(before time: Timestamp, limit: Int) throws -> Int {
        let ids = try self.connection.rows(
            "SELECT id FROM s3_uploads WHERE started_at < $1 ORDER BY started_at LIMIT $2",
            [.timestamp(time), .int64(Int64(limit))]
        ) { $0.text(0) }
        return try ids.filter { try self.deleteUpload(id: $0) }.count
    }
}
