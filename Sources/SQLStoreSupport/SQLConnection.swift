/// A connection of either SQL store, owned by one thread for the length of a transaction.
///
/// Statements are written with PostgreSQL's numbered placeholders (`$1`, `$2`, …), which SQLite
/// takes as `?1`, `?2`, …; the values are bound in order.
///
/// The shared ports hold it and its rows as existentials rather than as generic parameters: the
/// adapters live in other modules, where generic code would run unspecialized and look its
/// metadata up on every call (measured: about 10,000 instructions a request).
package protocol SQLConnection: AnyObject {
    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws

    /// Runs one statement with `parameters`, calling `row` for each result row.
    func query(_ sql: String, _ parameters: [SQLValue], row: (any SQLRow) throws -> Void) throws
}

extension SQLConnection {
    /// Runs one statement with `parameters`, ignoring any rows.
    package func query(_ sql: String, _ parameters: [SQLValue] = []) throws {
        try self.query(sql, parameters) { _ in }
    }

    /// The rows of one statement, each mapped by `transform`.
    package func rows<T>(_ sql: String, _ parameters: [SQLValue] = [], _ transform: (any SQLRow) throws -> T) throws
        -> [T]
    {
        var results: [T] = []
        try self.query(sql, parameters) { results.append(try transform($0)) }
        return results
    }
}
