import CSQLite
import Domain
import SQLStoreSupport
import SystemSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One SQLite connection, used by one thread at a time (opened without SQLite's own mutex).
/// Statements are prepared once and reused.
final class SQLiteConnection: SQLConnection, @unchecked Sendable {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// How a connection opens its file.
    enum Mode {
        /// The server's store: created if missing (owner-only permissions), must be writable,
        /// switched to WAL with full durability.
        case store
        /// A source to copy from: must exist; left exactly as it is.
        case source
    }

    /// Opens the database file at `path` with a busy timeout.
    init(path: String, busyTimeout: Duration, mode: Mode = .store) throws(SQLiteError) {
        if mode == .store {
            // Terraform states hold secrets: the file (and the -wal and -shm files SQLite makes
            // with the same permissions) is for its owner only.
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        var handle: OpaquePointer? = nil
        // A source is opened read-only: read-write, closing the last connection would checkpoint
        // the write-ahead log into the file (a copy being exported would change under the export).
        let flags =
            SQLITE_OPEN_NOMUTEX | (mode == .store ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY)
        let result = sqlite3_open_v2(path, &handle, flags, nil)
        guard result == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: result, message: "cannot open \(path): \(message)")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, Int32(clamping: busyTimeout.milliseconds))
        guard mode == .store else { return }
        // SQLite quietly opens a file it may not write read-only; a store must be writable.
        guard sqlite3_db_readonly(handle, "main") == 0 else {
            throw SQLiteError(code: SQLITE_READONLY, message: "\(path) is not writable")
        }
        // WAL lets readers run beside the writer; FULL syncs every commit, so a write that was
        // acknowledged survives a power loss, as in PostgreSQL. The WAL is cut back to 16 MiB
        // after each checkpoint instead of keeping the size of the largest write.
        let journal = try self.switchToWAL(until: ContinuousClock.now + busyTimeout)
        guard journal == "wal" else {
            throw SQLiteError(
                code: SQLITE_CANTOPEN,
                message: "\(path): the file system does not support WAL (journal mode \(journal))")
        }
        // secure_delete: a purged version's bytes are overwritten on disk, not just unlinked.
        try self.execute(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 16777216; "
                + "PRAGMA secure_delete = ON")
    }

    /// Sets WAL mode and returns the journal mode in force. Switching takes an exclusive lock,
    /// and SQLite does not wait for it, so a second process starting at the same moment is
    /// retried here until `deadline`.
    private func switchToWAL(until deadline: ContinuousClock.Instant) throws(SQLiteError) -> String {
        while true {
            do {
                var mode = ""
                try self.query("PRAGMA journal_mode = WAL", []) { mode = $0.text(0) }
                return mode
            } catch let error as SQLiteError where error.primary == SQLITE_BUSY && ContinuousClock.now < deadline {
                usleep(10_000)
            } catch let error as SQLiteError {
                throw error
            } catch {
                throw SQLiteError(code: SQLITE_ERROR, message: "\(error)")
            }
        }
    }

    deinit {
        for statement in self.statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(self.handle)
    }

    private func error(_ code: Int32) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(self.handle), message: String(cString: sqlite3_errmsg(self.handle)))
    }

    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws(SQLiteError) {
        let result = sqlite3_exec(self.handle, sql, nil, nil, nil)
        guard result == SQLITE_OK else { throw self.error(result) }
    }

    /// Runs one statement with `parameters`; calls `row` for each result row.
    func query(_ sql: String, _ parameters: [SQLValue], row: (any SQLRow) throws -> Void) throws {
        let statement = try self.statement(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch parameter {
            case .int64(let value):
                result = sqlite3_bind_int64(statement, index, value)
            case .timestamp(let value):
                result = sqlite3_bind_int64(statement, index, value.microseconds)
            case .bool(let value):
                result = sqlite3_bind_int64(statement, index, value ? 1 : 0)
            case .text(let value):
                var value = value
                result = value.withUTF8 { utf8 in
                    statehouse_sqlite_bind_text_copy(
                        statement, index,
                        UnsafeRawPointer(utf8.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(
                            to: CChar.self), sqlite3_uint64(utf8.count))
                }
            case .bytes(let bytes):
                result = bytes.withUnsafeBytes { raw in
                    // A zero-length blob still needs a non-NULL pointer, or SQLite stores NULL.
                    statehouse_sqlite_bind_blob_copy(
                        statement, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, sqlite3_uint64(raw.count)
                    )
                }
            case .null:
                result = sqlite3_bind_null(statement, index)
            }
            guard result == SQLITE_OK else { throw self.error(result) }
        }
        while true {
            let result = sqlite3_step(statement)
            if result == SQLITE_DONE { return }
            guard result == SQLITE_ROW else { throw self.error(result) }
            try row(SQLiteRow(statement: statement))
        }
    }

    private func statement(_ sql: String) throws(SQLiteError) -> OpaquePointer {
        if let cached = self.statements[sql] { return cached }
        var statement: OpaquePointer? = nil
        let result = sqlite3_prepare_v3(
            self.handle, SQLiteConnection.numberedPlaceholders(sql), -1, UInt32(SQLITE_PREPARE_PERSISTENT),
            &statement, nil)
        guard result == SQLITE_OK, let statement else { throw self.error(result) }
        self.statements[sql] = statement
        return statement
    }
}

extension SQLiteConnection {
    /// `sql` with PostgreSQL's placeholders `$1`, `$2` … as SQLite's numbered `?1`, `?2` …, so
    /// that both stores run the same statements. (SQLite would read `$1` as a named parameter,
    /// numbered by where it first appears rather than by its digits.)
    static func numberedPlaceholders(_ sql: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count)
        var previous: UInt8 = 0
        for byte in sql.utf8 {
            if previous == UInt8(ascii: "$"), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                out[out.count - 1] = UInt8(ascii: "?")
            }
            out.append(byte)
            previous = byte
        }
        return String(decoding: out, as: UTF8.self)
    }
}
