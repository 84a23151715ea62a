import Domain

/// Whether the store answers now: what a load balancer or orchestrator asks before sending
/// traffic (`/readyz`).
public struct CheckReadiness: Sendable {
    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Returns when the store answered a trivial query (PostgreSQL: on a server that takes
    /// writes); throws `unavailable` (or `fault`) when it did not.
    public func execute() throws(ApplicationError) {
        try ApplicationError.translating { try self.store.ping() }
    }
}
