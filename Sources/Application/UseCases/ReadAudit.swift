import Domain

/// The audit trail, oldest first, a page at a time.
public struct ReadAudit: Sendable {
    /// One page, and the `after` for the next (`nil` when this is the last).
    public struct Page: Equatable, Sendable {
        /// The events.
        public let events: [AuditEvent]
        /// Pass as `after` for the next page.
        public let nextAfter: Int64?
    }

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// Events matching `query` on states `caller` may read; events about no state (tokens) only for
    /// the user who caused them and for admins on `*`.
    public func execute(_ query: AuditQuery, as caller: Caller) throws(ApplicationError) -> Page {
        if let user = query.user, user.utf8.count > AuditQuery.maxUserBytes {
            throw ApplicationError(.invalidInput, "the user name is longer than \(AuditQuery.maxUserBytes) bytes")
        }
        if let state = query.state { try caller.principal.require(.read, on: state) }
        let (events, next) = try ApplicationError.translating {
            try self.store.snapshot { transaction in
                try readablePage(limit: query.limit, start: query.after, position: \.id) { after, batch in
                    var page = query
                    page.after = after
                    page.limit = batch
                    return try transaction.audit.events(page)
                } where: { event in
                    guard let state = event.state else {
                        return event.user == caller.principal.name || caller.principal.administersEverything
                    }
                    return caller.principal.may(.read, state)
                }
            }
        }
        return Page(events: events, nextAfter: next)
    }
}
