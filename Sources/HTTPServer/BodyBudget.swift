import Synchronization

/// The request-body bytes all connections may hold at once. A body is counted before it is read
/// (its whole `Content-Length`, or a chunked body chunk by chunk), and given back when its
/// request has been answered; past the budget a request is answered 503 with `Retry-After`.
final class BodyBudget: Sendable {
    /// The most bytes held at once.
    let capacity: Int
    private let used = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The bytes counted now.
    var inUse: Int { self.used.load(ordering: .relaxed) }

    /// Counts `bytes` more if they fit; `false` (and nothing counted) when they do not.
    func reserve(_ bytes: Int) -> Bool {
        var current = self.used.load(ordering: .relaxed)
        while true {
            guard bytes <= self.capacity - current else { return false }
            let (exchanged, original) = self.used.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// Gives back `bytes` counted before.
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        self.used.subtract(bytes, ordering: .relaxed)
    }
}
