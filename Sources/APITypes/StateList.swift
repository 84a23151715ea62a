/// `GET /api/v1/states`: one page of states.
public struct StateList: Codable, Equatable, Sendable {
    /// The states, ordered by name.
    public var states: [StateSummary]
    /// Pass as `cursor` for the next page; `nil` on the last one.
    @Nullable public var nextCursor: String?

    private enum CodingKeys: String, CodingKey {
        case states
        case nextCursor = "next_cursor"
    }

    /// Creates a page.
    public init(states: [StateSummary], nextCursor: String?) {
        self.states = states
        self.nextCursor = nextCursor
    }
}
