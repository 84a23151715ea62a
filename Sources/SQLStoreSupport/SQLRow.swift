import Domain

/// One result row of either SQL store, read by column index (from 0).
package protocol SQLRow {
    /// Whether the column is SQL `NULL`.
    func isNull(_ column: Int) -> Bool
    /// An integer column.
    func int64(_ column: Int) -> Int64
    /// A text column.
    func text(_ column: Int) -> String
    /// A `bytea` or `BLOB` column.
    func bytes(_ column: Int) -> [UInt8]
    /// A timestamp column.
    func timestamp(_ column: Int) -> Timestamp
    /// A boolean column.
    func bool(_ column: Int) -> Bool
}

extension SQLRow {
    /// A nullable text column.
    package func optionalText(_ column: Int) -> String? {
        self.isNull(column) ? nil : self.text(column)
    }

    /// A nullable integer column.
    package func optionalInt64(_ column: Int) -> Int64? {
        self.isNull(column) ? nil : self.int64(column)
    }

    /// A nullable timestamp column.
    package func optionalTimestamp(_ column: Int) -> Timestamp? {
        self.isNull(column) ? nil : self.timestamp(column)
    }
}
