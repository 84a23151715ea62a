/// Every error answer: one sentence and, for a 409 caused by a lock (`LockConflict` in the
/// OpenAPI document), the lock.
public struct ErrorBody: Codable, Equatable, Sendable {
    /// The sentence.
    public var error: String
    /// The lock in the way, on a 409 about a lock.
    public var lock: Lock?

    private enum CodingKeys: String, CodingKey {
        case error, lock
    }

    /// Creates an error body.
    public init(error: String, lock: Lock? = nil) {
        self.error = error
        self.lock = lock
    }

    /// Reads the sentence; a lock that does not decode is dropped rather than hiding the sentence.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.error = try container.decode(String.self, forKey: .error)
        self.lock = try? container.decodeIfPresent(Lock.self, forKey: .lock)
    }
}
