import CLibPQ
import SQLStoreSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One libpq connection. Owned by one thread at a time (the pool hands it out), so it needs no
/// lock of its own.
final class PostgresConnection: SQLConnection, @unchecked Sendable {
    private let connection: OpaquePointer
    /// Whether the session settings have been applied.
    var isConfigured = false

    /// Settings applied unless the connection string sets them: without them a database host
    /// that vanishes from the network would hang requests until the kernel gives up (minutes).
    static let defaults: [(String, String)] = [
        ("connect_timeout", "10"), ("keepalives", "1"), ("keepalives_idle", "30"),
        ("keepalives_interval", "10"), ("keepalives_count", "3"), ("tcp_user_timeout", "60000"),
    ]

    /// Bytes sent and received since the last check-in; a connection that moved a lot is not
    /// pooled, because libpq never shrinks its buffers.
    var transferred = 0

    /// Connects with a libpq connection string or URL; `defaults` fill in what it leaves out.
    init(conninfo: String) throws(PostgresError) {
        // With expand_dbname, the connection string's own settings override the keywords
        // before it.
        let keywords = PostgresConnection.defaults.map(\.0) + ["dbname"]
        let values = PostgresConnection.defaults.map(\.1) + [conninfo]
        let made = withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in PQconnectdbParams(keywordPointers, valuePointers, 1) }
        }
        guard let connection = made else {
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

    /// Set when the server refused a write as read-only: it is a standby (or was demoted), so
    /// the connection is closed rather than pooled, and the next one may reach the primary.
    private(set) var foundReadOnly = false

    /// Whether the connection may go back to the pool.
    var isReusable: Bool { self.isHealthy && !self.foundReadOnly }

    /// Throws the error a write would get (SQLSTATE 25006) when the session is read-only: a hot
    /// standby answers reads but refuses every write, as does a primary with
    /// `default_transaction_read_only` on.
    func requireWritable() throws(PostgresError) {
        let result = try self.textResult("SHOW transaction_read_only")
        guard result == "on" else { return }
        self.foundReadOnly = true
        throw PostgresError(
            sqlState: PostgresError.readOnly, message: "transaction_read_only is on", connectionBroken: false)
    }

    /// Statements prepared on this connection, by SQL text.
    private var prepared: [String: String] = [:]
    /// Set when the server said a prepared statement no longer fits the schema (another server
    /// migrated it): they are all dropped before the connection is used again.
    private(set) var preparedStatementsStale = false

    /// SQLSTATEs that mean the prepared statements must be made again: "cached plan must not
    /// change result type" and "prepared statement does not exist".
    static let stalePreparedStatement: Set<String> = ["0A000", "26000"]

    /// Drops every prepared statement (outside a transaction).
    func resetPreparedStatements() throws(PostgresError) {
        try self.execute("DEALLOCATE ALL")
        self.prepared = [:]
        self.preparedStatementsStale = false
    }

    /// Runs one statement with binary parameters and binary results. Each distinct statement is
    /// prepared once per connection (parsed and planned once) and executed by name after that.
    func result(_ sql: String, _ parameters: [SQLValue] = []) throws(PostgresError) -> PostgresResult {
        let encoded = parameters.map(\.postgresEncoded)
        let lengths = encoded.map { Int32($0.bytes?.count ?? 0) }
        self.transferred += lengths.reduce(0) { $0 + Int($1) }
        let formats = [Int32](repeating: 1, count: encoded.count)
        let name = try self.statement(sql, types: encoded.map(\.oid))
        let result = withPinned(encoded.map(\.bytes)) { values in
            PQexecPrepared(self.connection, name, Int32(encoded.count), values, lengths, formats, 1)
        }
        return try self.check(result)
    }

    /// Runs one statement as ``result(_:_:)`` does, calling `row` for each result row.
    func query(_ sql: String, _ parameters: [SQLValue], row: (any SQLRow) throws -> Void) throws {
        let result = try self.result(sql, parameters)
        for index in 0..<result.rowCount { try row(PostgresRow(result: result, row: index)) }
    }

    /// The name of `sql` prepared on this connection, preparing it first if needed.
    private func statement(_ sql: String, types: [UInt32]) throws(PostgresError) -> String {
        if let name = self.prepared[sql] { return name }
        let name = "s\(self.prepared.count)"
        _ = try self.check(PQprepare(self.connection, name, sql, Int32(types.count), types))
        self.prepared[sql] = name
        return name
    }

    /// Runs one or more statements without parameters (migrations, BEGIN/COMMIT).
    func execute(_ sql: String) throws(PostgresError) {
        _ = try self.check(PQexec(self.connection, sql))
    }

    /// The first value of a statement without parameters, in text format (`SHOW …`).
    private func textResult(_ sql: String) throws(PostgresError) -> String? {
        let result = try self.check(PQexec(self.connection, sql))
        return result.rowCount > 0 ? result.text(0, 0) : nil
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(
                sqlState: nil, message: PostgresConnection.message(of: self.connection),
                connectionBroken: !self.isHealthy)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result, connection: self)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message =
                PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? PostgresConnection.message(of: self.connection)
            PQclear(result)
            if let state, PostgresConnection.stalePreparedStatement.contains(state) {
                self.preparedStatementsStale = true
            }
            if state == PostgresError.readOnly { self.foundReadOnly = true }
            throw PostgresError(sqlState: state, message: message, connectionBroken: !self.isHealthy)
        }
    }

    private static func message(of connection: OpaquePointer) -> String {
        guard let text = PQerrorMessage(connection) else { return "unknown libpq error" }
        return String(cString: text).trimmingNewlines()
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer {
        for copy in copies { free(copy) }
    }
    return body(copies.map { UnsafePointer($0) } + [nil])
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
