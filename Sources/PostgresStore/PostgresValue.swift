import Domain

/// A bound parameter, sent to the server in binary format.
enum PostgresValue {
    case int64(Int64)
    case text(String)
    case bytea([UInt8])
    case timestamp(Timestamp)
    case bool(Bool)
    case null

    /// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
    static let epochOffset: Int64 = 946_684_800_000_000

    /// The type OID and the binary encoding (`nil` for NULL).
    var encoded: (oid: UInt32, bytes: [UInt8]?) {
        switch self {
        case .int64(let value): (20, bigEndianBytes(value))
        case .text(let value): (25, Array(value.utf8))
        case .bytea(let value): (17, value)
        case .timestamp(let value): (1184, bigEndianBytes(value.microseconds - PostgresValue.epochOffset))
        case .bool(let value): (16, [value ? 1 : 0])
        case .null: (0, nil)
        }
    }
}

private func bigEndianBytes(_ value: Int64) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
