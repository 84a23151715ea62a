import Application
import CSQLite

/// A failure reported by SQLite: its extended result code and message.
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code, such as `SQLITE_BUSY` (5).
    let code: Int32
    /// SQLite's message.
    let message: String

    var description: String { "\(self.message) (SQLite error \(self.code))" }

    /// The primary result code (the low byte of the extended one).
    var primary: Int32 { self.code & 0xFF }

    /// The application's view of this failure (translation at the edge).
    var storeError: StoreError {
        switch self.primary {
        case SQLITE_BUSY, SQLITE_LOCKED:
            StoreError(.unavailable, "database busy: \(self.message)")
        case SQLITE_FULL:
            StoreError(.diskFull, "database disk full: \(self.message)")
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM:
            StoreError(.fault, "database not writable: \(self.message)")
        default:
            StoreError(.fault, "database error: \(self.description)")
        }
    }
}
