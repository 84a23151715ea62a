import Synchronization

/// Recently served state bodies, keyed by the SHA-256 of their bytes, bounded in bytes.
///
/// Content-addressed, so it can never serve stale data: a reader always learns the current
/// version (and its digest) from the store, and the cache only spares fetching and inflating
/// bytes it already holds for exactly that digest. Several servers on one database need no
/// coordination. Lookups, stores and evictions are O(1) (a dictionary and a doubly linked list
/// in recency order), so the lock is never held for long.
public final class ContentCache: Sendable {
    /// What an entry costs beyond its bytes (keys, node, array headers), so that many small
    /// entries cannot exceed the budget in real memory.
    static let entryOverhead = 256

    private struct Node {
        var gzip: [UInt8]
        var identity: [UInt8]?
        /// Towards the most recently used end.
        var newer: [UInt8]?
        /// Towards the least recently used end.
        var older: [UInt8]?
        var cost: Int { self.gzip.count + (self.identity?.count ?? 0) + ContentCache.entryOverhead }
    }

    private struct List {
        var nodes: [[UInt8]: Node] = [:]
        var newest: [UInt8]?
        var oldest: [UInt8]?
        var bytes = 0

        mutating func unlink(_ key: [UInt8]) {
            guard let node = self.nodes[key] else { return }
            if let newer = node.newer { self.nodes[newer]?.older = node.older } else { self.newest = node.older }
            if let older = node.older { self.nodes[older]?.newer = node.newer } else { self.oldest = node.newer }
        }

        mutating func pushNewest(_ key: [UInt8]) {
            self.nodes[key]?.older = self.newest
            self.nodes[key]?.newer = nil
            if let newest = self.newest { self.nodes[newest]?.newer = key }
            self.newest = key
            if self.oldest == nil { self.oldest = key }
        }

        mutating func touch(_ key: [UInt8]) {
            guard self.nodes[key] != nil, self.newest != key else { return }
            self.unlink(key)
            self.pushNewest(key)
        }

        mutating func remove(_ key: [UInt8]) {
            guard let node = self.nodes[key] else { return }
            self.unlink(key)
            self.nodes[key] = nil
            self.bytes -= node.cost
        }
    }

    private let capacity: Int
    private let list = Mutex(List())

    /// A cache of at most `capacityBytes`; 0 disables it. Bodies over a quarter of the
    /// capacity are not kept, so one huge state cannot flush all the others.
    public init(capacityBytes: Int) {
        self.capacity = capacityBytes
    }

    /// Bytes currently accounted for, entry overhead included.
    public var bytes: Int { self.list.withLock { $0.bytes } }

    /// The gzip bytes for `sha256`, if cached.
    func gzip(_ sha256: [UInt8]) -> [UInt8]? {
        self.list.withLock { list in
            list.touch(sha256)
            return list.nodes[sha256]?.gzip
        }
    }

    /// The uncompressed bytes for `sha256`, if cached.
    func identity(_ sha256: [UInt8]) -> [UInt8]? {
        self.list.withLock { list in
            list.touch(sha256)
            return list.nodes[sha256]?.identity
        }
    }

    /// Keeps the gzip bytes (and, when given, the uncompressed ones) of `sha256`.
    func store(_ sha256: [UInt8], gzip: [UInt8], identity: [UInt8]? = nil) {
        guard gzip.count + (identity?.count ?? 0) + ContentCache.entryOverhead <= self.capacity / 4 else { return }
        self.list.withLock { list in
            let keptIdentity = identity ?? list.nodes[sha256]?.identity
            list.remove(sha256)
            let node = Node(gzip: gzip, identity: keptIdentity, newer: nil, older: nil)
            list.nodes[sha256] = node
            list.bytes += node.cost
            list.pushNewest(sha256)
            while list.bytes > self.capacity, let oldest = list.oldest {
                list.remove(oldest)
            }
        }
    }

    /// Forgets `sha256` (its bytes turned out to be corrupt).
    func remove(_ sha256: [UInt8]) {
        self.list.withLock { $0.remove(sha256) }
    }
}
