import Synchronization

/// Recently served state bodies, keyed by the SHA-256 of their bytes, bounded in bytes.
///
/// Content-addressed, so it can never serve stale data: a reader always learns the current
/// version (and its digest) from the store, and the cache only spares fetching and inflating
/// bytes it already holds for exactly that digest. Several servers on one database need no
/// coordination.
public final class ContentCache: Sendable {
    private struct Entry {
        var gzip: [UInt8]
        var identity: [UInt8]?
        var lastUse: UInt64
        var cost: Int { self.gzip.count + (self.identity?.count ?? 0) }
    }

    private struct Contents {
        var entries: [[UInt8]: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    private let capacity: Int
    private let contents = Mutex(Contents())

    /// A cache of at most `capacityBytes`; 0 disables it. Bodies over a quarter of the
    /// capacity are not kept, so one huge state cannot flush all the others.
    public init(capacityBytes: Int) {
        self.capacity = capacityBytes
    }

    /// Bytes currently held.
    public var bytes: Int { self.contents.withLock { $0.bytes } }

    /// The gzip bytes for `sha256`, if cached.
    func gzip(_ sha256: [UInt8]) -> [UInt8]? {
        self.contents.withLock { contents in
            contents.clock += 1
            contents.entries[sha256]?.lastUse = contents.clock
            return contents.entries[sha256]?.gzip
        }
    }

    /// The uncompressed bytes for `sha256`, if cached.
    func identity(_ sha256: [UInt8]) -> [UInt8]? {
        self.contents.withLock { contents in
            contents.clock += 1
            contents.entries[sha256]?.lastUse = contents.clock
            return contents.entries[sha256]?.identity
        }
    }

    /// Keeps the gzip bytes (and, when given, the uncompressed ones) of `sha256`.
    func store(_ sha256: [UInt8], gzip: [UInt8], identity: [UInt8]? = nil) {
        let cost = gzip.count + (identity?.count ?? 0)
        guard cost <= self.capacity / 4 else { return }
        self.contents.withLock { contents in
            contents.clock += 1
            var entry = contents.entries[sha256] ?? Entry(gzip: gzip, identity: nil, lastUse: 0)
            contents.bytes -= contents.entries[sha256]?.cost ?? 0
            entry.identity = identity ?? entry.identity
            entry.lastUse = contents.clock
            contents.entries[sha256] = entry
            contents.bytes += entry.cost
            while contents.bytes > self.capacity,
                let oldest = contents.entries.min(by: { $0.value.lastUse < $1.value.lastUse })
            {
                contents.bytes -= oldest.value.cost
                contents.entries[oldest.key] = nil
            }
        }
    }
}
