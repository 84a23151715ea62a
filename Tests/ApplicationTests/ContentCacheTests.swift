import Domain
import InMemoryStore
import Testing

@testable import Application

@Suite struct ContentCacheTests {
    /// Each entry costs its bytes plus the fixed overhead; 100 bytes of body cost 356.
    static let unit = 100 + ContentCache.entryOverhead

    @Test func keepsWithinItsCapacityEvictingTheLeastRecentlyUsed() {
        let cache = ContentCache(capacityBytes: 4 * Self.unit)
        cache.store([1], gzip: [UInt8](repeating: 1, count: 100))
        cache.store([2], gzip: [UInt8](repeating: 2, count: 100))
        cache.store([3], gzip: [UInt8](repeating: 3, count: 100))
        #expect(cache.gzip([1]) != nil)  // 1 is now more recent than 2
        cache.store([4], gzip: [UInt8](repeating: 4, count: 100))
        cache.store([5], gzip: [UInt8](repeating: 5, count: 100))
        #expect(cache.bytes == 4 * Self.unit)
        #expect(cache.gzip([2]) == nil, "the least recently used went first")
        #expect(cache.gzip([1]) != nil)
        #expect(cache.gzip([3]) != nil)
        #expect(cache.gzip([5]) != nil)
        cache.store([6], gzip: [UInt8](repeating: 6, count: 100))
        #expect(cache.gzip([4]) == nil, "then the next least recently used")
    }

    @Test func addingTheIdentityBytesKeepsTheEntryAndRecountsIt() {
        let cache = ContentCache(capacityBytes: 10_000)
        cache.store([1], gzip: [1, 2, 3])
        cache.store([1], gzip: [1, 2, 3], identity: [UInt8](repeating: 0, count: 50))
        #expect(cache.identity([1])?.count == 50)
        #expect(cache.gzip([1]) == [1, 2, 3])
        #expect(cache.bytes == 53 + ContentCache.entryOverhead)
        cache.remove([1])
        #expect(cache.bytes == 0)
        #expect(cache.gzip([1]) == nil)
    }

    @Test func manySmallEntriesThenOneLargeEvictInOnePass() {
        let cache = ContentCache(capacityBytes: 32 << 20)
        for index in 0..<50_000 {
            cache.store(withUnsafeBytes(of: index) { Array($0) }, gzip: [UInt8](repeating: 0, count: 200))
        }
        cache.store([0xFF], gzip: [UInt8](repeating: 1, count: 7 << 20))
        #expect(cache.bytes <= 32 << 20)
        #expect(cache.gzip([0xFF])?.count == 7 << 20)
    }

    @Test func doesNotKeepBodiesOverAQuarterOfItsCapacity() {
        let cache = ContentCache(capacityBytes: 4 * Self.unit)
        cache.store([1], gzip: [UInt8](repeating: 1, count: 101))
        #expect(cache.gzip([1]) == nil)
        #expect(ContentCache(capacityBytes: 0).bytes == 0)
    }

    @Test func readersNeverSeeAnOlderVersionThanTheStoreHolds() throws {
        let store = InMemoryStore()
        let owner = Caller(Principal(name: "o", grants: [Grant(prefix: "*", access: .admin)]))
        let cache = ContentCache(capacityBytes: 1 << 20)
        let read = ReadState(store: store, cache: cache, heavyWork: HeavyWork(limit: 1))
        // Two writers, as two servers would be, sharing the store but not the cache.
        let write = WriteState(
            store: store, clock: FixedClock(), policy: .init(allowLineageChange: false), compressionLevel: 1)
        let name = try StateName("s")
        for serial in 1...3 {
            let body = Array("{\"serial\":\(serial),\"lineage\":\"L\"}".utf8)
            _ = try write.execute(.init(name: name, body: body, lockID: nil, contentMD5: nil), as: owner)
            #expect(try read.execute(name, as: owner, encoding: .identity).body == body)
            #expect(try read.execute(name, as: owner, encoding: .identity).body == body, "served from the cache")
            #expect(try read.execute(name, as: owner, encoding: .gzip).version.serial == Int64(serial))
        }
        #expect(cache.bytes > 0)
    }
}
