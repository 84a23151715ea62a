internal import Crypto
import Domain
internal import Synchronization

/// The principals of tokens already verified, by the SHA-256 of the token, until the token
/// expires: Terraform sends the same token with every request. At most `capacity` entries;
/// when full, expired entries go, then arbitrary ones down to three quarters of the capacity.
final class VerifiedTokens: Sendable {
    private struct Entry {
        let principal: Principal
        let expires: Timestamp
    }

    private let capacity: Int
    private let entries = Mutex<[SHA256Digest: Entry]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// The principal of the token with this digest, if it was verified and has not expired.
    func principal(for digest: SHA256Digest, now: Timestamp) -> Principal? {
        self.entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            guard now < entry.expires else {
                entries[digest] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Remembers a verified token's principal until `expires`.
    func remember(_ principal: Principal, for digest: SHA256Digest, expires: Timestamp, now: Timestamp) {
        self.entries.withLock { entries in
            if entries.count >= self.capacity {
                entries = entries.filter { now < $0.value.expires }
                // Still full of live tokens: make room for a quarter at once, so that this pass
                // over every entry stays rare under a flood of new tokens.
                let excess = entries.count - self.capacity * 3 / 4
                if excess > 0 {
                    for victim in Array(entries.keys.prefix(excess)) { entries[victim] = nil }
                }
            }
            entries[digest] = Entry(principal: principal, expires: expires)
        }
    }

    /// How many tokens are remembered.
    var count: Int { self.entries.withLock { $0.count } }
}
