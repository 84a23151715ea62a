/// `GET /api/v1/locks`: one page of the locks the caller may see, oldest first.
public struct LockList: Codable, Equatable, Sendable {
    /// One held lock and its state.
    public struct Entry: Codable, Equatable, Sendable {
        /// The state's name.
        public var state: String
        /// Its lock.
        public var lock: Lock

        /// Creates an entry.
        public init(state: String, lock: Lock) {
            self.state = state
            self.lock = lock
        }
    }

    /// The locks.
    public var locks: [Entry]
    /// Pass as `cursor` for the next page; `nil` on the last one (or from a server that sends
    /// every lock at once).
    @Nullable public var nextCursor: String?

    private enum CodingKeys: String, CodingKey {
        case locks
        case nextCursor = "next_cursor"
    }

    /// Creates a page.
    public init(locks: [Entry], nextCursor: String? = nil) {
        self.locks = locks
        self.nextCursor = nextCursor
    }
}
