import CLibPQ

/// One libpq connection. Owned by one thread at a time (the pool hands it out), so it needs no
/// lock of its own.
final class PostgresConnection: @unchecked Sendable {
    private let connection: OpaquePointer
    /// Whether the session settings have been applied.
    var isConfigured = false

    /// Connects with a libpq connection string or URL.
    init(conninfo: String) throws(PostgresError) {
        guard let connection = PQconnectdb(conninfo) else {
            throw PostgresError(sqlState: nil, message: "out of memory", connectionBroken: true)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PostgresConnection.message(of: connection)
            PQfinish(connection)
            throw PostgresError(sqlState: nil, message: message, connectionBroken: true)
        }
        self.connection = connection
    }

    deinit { PQfinish(self.connection) }

    /// Whether libpq still considers the connection usable.
    var isHealthy: Bool { PQstatus(self.connection) == CONNECTION_OK }

    /// Runs one statement with binary parameters and binary results.
    @discardableResult
    func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        let encoded = parameters.map(\.encoded)
        let types = encoded.map(\.oid)
        let lengths = encoded.map { Int32($0.bytes?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: encoded.count)
        let result = withPinned(encoded.map(\.bytes)) { values in
            PQexecParams(self.connection, sql, Int32(encoded.count), types, values, lengths, formats, 1)
        }
        return try self.check(result)
    }

    /// Runs one or more statements without parameters (migrations, BEGIN/COMMIT).
    func execute(_ sql: String) throws(PostgresError) {
        _ = try self.check(PQexec(self.connection, sql))
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(
                sqlState: nil, message: PostgresConnection.message(of: self.connection),
                connectionBroken: !self.isHealthy)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message =
                PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? PostgresConnection.message(of: self.connection)
            PQclear(result)
            throw PostgresError(sqlState: state, message: message, connectionBroken: !self.isHealthy)
        }
    }

    private static func message(of connection: OpaquePointer) -> String {
        guard let text = PQerrorMessage(connection) else { return "unknown libpq error" }
        return String(cString: text).trimmingNewlines()
    }
}

/// Calls `body` with C pointers to each byte array (NULL for `nil`), all pinned for the call.
private func withPinned<R>(
    _ arrays: [[UInt8]?], _ body: ([UnsafePointer<CChar>?]) -> R
) -> R {
    var pointers: [UnsafePointer<CChar>?] = []
    pointers.reserveCapacity(arrays.count)
    func pin(_ index: Int) -> R {
        if index == arrays.count { return body(pointers) }
        guard let array = arrays[index] else {
            pointers.append(nil)
            return pin(index + 1)
        }
        return array.withUnsafeBufferPointer { buffer in
            // An empty array may have no storage; libpq only needs a non-NULL pointer then.
            pointers.append(
                UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(
                    to: CChar.self))
            return pin(index + 1)
        }
    }
    return pin(0)
}

extension String {
    fileprivate func trimmingNewlines() -> String {
        var text = Substring(self)
        while text.last == "\n" || text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
