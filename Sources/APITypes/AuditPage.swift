/// `GET /api/v1/audit`: one page of the audit trail, oldest first.
public struct AuditPage: Codable, Equatable, Sendable {
    /// The events.
    public var events: [AuditEvent]
    /// Pass as `after` for the next page; `nil` on the last one.
    @Nullable public var nextAfter: Int64?

    private enum CodingKeys: String, CodingKey {
        case events
        case nextAfter = "next_after"
    }

    /// Creates a page.
    public init(events: [AuditEvent], nextAfter: Int64?) {
        self.events = events
        self.nextAfter = nextAfter
    }
}
