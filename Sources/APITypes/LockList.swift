/// `GET /api/v1/locks`: every lock the caller may see, oldest first.
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

    /// Creates a list.
    public init(locks: [Entry]) {
        self.locks = locks
    }
}
