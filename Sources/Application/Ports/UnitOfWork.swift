import Domain

/// Runs a use case's reads and writes as one transaction.
public protocol UnitOfWork: Sendable {
    /// Runs `work` with the ports of one transaction: committed when `work` returns, rolled back
    /// when it throws (the error is rethrown).
    func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T

    /// Runs `work` like `transaction`, for a change that lets others proceed (releasing a lock):
    /// a store that keeps disk space in reserve spends it here, so that a full disk never leaves
    /// a state locked.
    func releasingTransaction<T>(_ work: (any Transaction) throws -> T) throws -> T

    /// Runs `work`, which only reads with one call, as cheaply as the store allows (PostgreSQL: a
    /// single statement without BEGIN/COMMIT, which sees one consistent snapshot).
    func read<T>(_ work: (any Transaction) throws -> T) throws -> T

    /// Runs `work`, which only reads, against one consistent snapshot of the whole store, however
    /// many calls it makes and whatever is written meanwhile.
    func snapshot<T>(_ work: (any Transaction) throws -> T) throws -> T

    /// Returns when the store answered a trivial query (PostgreSQL: on a server that takes
    /// writes); throws `unavailable` when it cannot be reached now or is read-only (a standby).
    func ping() throws(StoreError)
}

extension UnitOfWork {
    /// By default a release is a transaction like any other.
    public func releasingTransaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.transaction(work)
    }

    /// By default a read is a transaction like any other.
    public func read<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.transaction(work)
    }

    /// By default a snapshot is a transaction like any other.
    public func snapshot<T>(_ work: (any Transaction) throws -> T) throws -> T {
        try self.transaction(work)
    }
}
