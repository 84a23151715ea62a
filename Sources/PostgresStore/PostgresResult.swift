import CLibPQ
import Domain
import SQLStoreSupport

/// The rows of a query run with binary results; owns the libpq result until deinit.
final class PostgresResult {
    private let result: OpaquePointer

    private let connection: PostgresConnection

    init(_ result: OpaquePointer, connection: PostgresConnection) {
        self.result = result
        self.connection = connection
    }

    deinit { PQclear(self.result) }

    var rowCount: Int { Int(PQntuples(self.result)) }

    func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(self.result, Int32(row), Int32(column)) == 1
    }

    private func raw(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer {
        let length = Int(PQgetlength(self.result, Int32(row), Int32(column)))
        return UnsafeRawBufferPointer(start: PQgetvalue(self.result, Int32(row), Int32(column)), count: length)
    }

    func bytes(_ row: Int, _ column: Int) -> [UInt8] {
        let raw = self.raw(row, column)
        self.connection.transferred += raw.count
        return Array(raw)
    }

    func text(_ row: Int, _ column: Int) -> String { String(decoding: self.raw(row, column), as: UTF8.self) }

    func int64(_ row: Int, _ column: Int) -> Int64 {
        let raw = self.raw(row, column)
        switch raw.count {
        case 8: return raw.loadUnaligned(as: Int64.self).bigEndian
        case 4: return Int64(raw.loadUnaligned(as: Int32.self).bigEndian)
        case 2: return Int64(raw.loadUnaligned(as: Int16.self).bigEndian)
        default: return 0
        }
    }

    func timestamp(_ row: Int, _ column: Int) -> Timestamp {
        Timestamp(microseconds: self.int64(row, column) + postgresEpochOffset)
    }

    func bool(_ row: Int, _ column: Int) -> Bool { self.raw(row, column).first == 1 }
}
