import Domain

/// A value bound to a statement parameter of either SQL store; each adapter encodes it in its own
/// way (a timestamp is `timestamptz` in PostgreSQL and microseconds in SQLite).
package enum SQLValue: Sendable {
    case int64(Int64)
    case text(String)
    case bytes([UInt8])
    case timestamp(Timestamp)
    case bool(Bool)
    case null
}

extension Optional {
    /// The wrapped value as a parameter, or SQL `NULL`.
    package func sqlValue(_ make: (Wrapped) -> SQLValue) -> SQLValue {
        self.map(make) ?? .null
    }
}
