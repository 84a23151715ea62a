import Application
import Domain

/// Versions' stored bytes in a SQL store's `state_versions`, read and replaced without touching
/// `states`, so no state's row is locked.
///
/// The prefix test is `substr(content, 1, length(prefix))`: PostgreSQL stores `content`
/// EXTERNAL (uncompressed out of line), so it fetches only the first chunk; SQLite reads the
/// whole value, and `length(content)` reads only its header in both.
struct SQLStoredContents: StoredContents {
    let connection: any SQLConnection

    func tally(prefix: [UInt8]) throws -> ContentTally {
        let rows = try self.connection.rows(
            """
            SELECT
                coalesce(sum(CASE WHEN substr(content, 1, length($1)) = $1 THEN 1 ELSE 0 END), 0),
                coalesce(sum(CASE WHEN substr(content, 1, length($1)) = $1 THEN 0 ELSE 1 END), 0),
                coalesce(sum(CASE WHEN substr(content, 1, length($1)) = $1 THEN 0 ELSE length(content) END), 0)
            FROM state_versions WHERE content IS NOT NULL
            """, [.bytes(prefix)]
        ) { ContentTally(matching: Int($0.int64(0)), others: Int($0.int64(1)), otherBytes: $0.int64(2)) }
        return rows.first ?? ContentTally(matching: 0, others: 0, otherBytes: 0)
    }

    func versions(notBeginningWith prefix: [UInt8], after position: ContentPosition?, limit: Int) throws
        -> [StoredContent]
    {
        try self.connection.rows(
            """
            SELECT v.state_id, v.number, s.name, length(v.content)
            FROM state_versions v JOIN states s ON s.id = v.state_id
            WHERE v.content IS NOT NULL AND substr(v.content, 1, length($1)) <> $1
                AND (v.state_id, v.number) > ($2, $3)
            ORDER BY v.state_id, v.number LIMIT $4
            """,
            [.bytes(prefix), .int64(position?.stateID ?? 0), .int64(position?.number ?? 0), .int64(Int64(limit))]
        ) { row in
            StoredContent(
                position: ContentPosition(stateID: row.int64(0), number: row.int64(1)),
                name: try StateRows.name(row.text(2)), size: row.int64(3))
        }
    }

    func content(stateID: Int64, number: Int64) throws -> [UInt8]? {
        try self.connection.rows(
            "SELECT content FROM state_versions WHERE state_id = $1 AND number = $2 AND content IS NOT NULL",
            [.int64(stateID), .int64(number)]
        ) { $0.bytes(0) }.first
    }

    func replace(stateID: Int64, number: Int64, with content: [UInt8]) throws -> Bool {
        try !self.connection.rows(
            """
            UPDATE state_versions SET content = $3 WHERE state_id = $1 AND number = $2 AND content IS NOT NULL
            RETURNING number
            """, [.int64(stateID), .int64(number), .bytes(content)]
        ) { $0.int64(0) }.isEmpty
    }
}
