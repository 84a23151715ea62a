import Domain
import SQLStoreSupport

/// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
let postgresEpochOffset: Int64 = 946_684_800_000_000

extension SQLValue {
    /// The type OID and the binary encoding PostgreSQL takes (`nil` for NULL).
    var postgresEncoded: (oid: UInt32, bytes: [UInt8]?) {
        switch self {
        case .int64(let value): (20, bigEndianBytes(value))
        case .text(let value): (25, Array(value.utf8))
        case .bytes(let value): (17, value)
        case .timestamp(let value): (1184, bigEndianBytes(value.microseconds - postgresEpochOffset))
        case .bool(let value): (16, [value ? 1 : 0])
        case .null: (0, nil)
        }
    }
}

private func bigEndianBytes(_ value: Int64) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
