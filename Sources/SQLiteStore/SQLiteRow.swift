import CSQLite
import Domain
import SQLStoreSupport
import SystemSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The current row of a statement.
struct SQLiteRow: SQLRow {
    let statement: OpaquePointer

    func isNull(_ column: Int) -> Bool { sqlite3_column_type(self.statement, Int32(column)) == SQLITE_NULL }

    func int64(_ column: Int) -> Int64 { sqlite3_column_int64(self.statement, Int32(column)) }

    func bool(_ column: Int) -> Bool { self.int64(column) != 0 }

    // The pointer is taken before the length, as SQLite asks: a conversion triggered by the
    // length call would otherwise invalidate it.
    func text(_ column: Int) -> String {
        guard let pointer = sqlite3_column_text(self.statement, Int32(column)) else { return "" }
        let count = Int(sqlite3_column_bytes(self.statement, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func bytes(_ column: Int) -> [UInt8] {
        guard let pointer = sqlite3_column_blob(self.statement, Int32(column)) else { return [] }
        let count = Int(sqlite3_column_bytes(self.statement, Int32(column)))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func timestamp(_ column: Int) -> Timestamp { Timestamp(microseconds: self.int64(column)) }
}
