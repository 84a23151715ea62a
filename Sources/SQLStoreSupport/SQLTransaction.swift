import Application

/// The ports of one open transaction on a SQL store's connection.
package struct SQLTransaction: Transaction {
    private let connection: any SQLConnection
    private let dialect: SQLDialect

    /// The ports over `connection`, which holds the open transaction.
    package init(connection: any SQLConnection, dialect: SQLDialect) {
        self.connection = connection
        self.dialect = dialect
    }

    package var states: any StateRepository { SQLStateRepository(connection: self.connection, dialect: self.dialect) }
    package var catalog: any StateCatalog { SQLStateCatalog(connection: self.connection, dialect: self.dialect) }
    package var audit: any AuditLog { SQLAuditLog(connection: self.connection) }
    package var imports: any StateImport { SQLStateImport(connection: self.connection) }
    package var pruning: any HistoryPruning { SQLHistoryPruning(connection: self.connection, dialect: self.dialect) }
    package var tokens: any TokenRepository { SQLTokenRepository(connection: self.connection, dialect: self.dialect) }
    package var sessions: any SessionRepository { SQLSessionRepository(connection: self.connection) }
    package var uploads: any UploadRepository {
        SQLUploadRepository(connection: self.connection, dialect: self.dialect)
    }
    package var storedContents: any StoredContents { SQLStoredContents(connection: self.connection) }
}
