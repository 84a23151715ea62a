import CLibPQ
import Domain
import SQLStoreSupport

/// One row of a result, as the shared SQL code reads it.
struct PostgresRow: SQLRow {
    let result: PostgresResult
    let row: Int

    func isNull(_ column: Int) -> Bool { self.result.isNull(self.row, column) }
    func int64(_ column: Int) -> Int64 { self.result.int64(self.row, column) }
    func text(_ column: Int) -> String { self.result.text(self.row, column) }
    func bytes(_ column: Int) -> [UInt8] { self.result.bytes(self.row, column) }
    func timestamp(_ column: Int) -> Timestamp { self.result.timestamp(self.row, column) }
    func bool(_ column: Int) -> Bool { self.result.bool(self.row, column) }
}
