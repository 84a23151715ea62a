import Domain
import InMemoryStore
import Testing

@testable import Application

@Suite struct ContentCacheTests {
    @Test func keepsWithinItsCapacityEvictingTheLeastRecentlyUsed() {
        let cache = ContentCache(capacityBytes: 400)
        cache.store([1], gzip: [UInt8](repeating: 1, count: 100))
        cache.store([2], gzip: [UInt8](repeating: 2, count: 100))
        cache.store([3], gzip: [UInt8](repeating: 3, count: 100))
        #expect(cache.gzip([1]) != nil)  // 1 is now more recent than 2
        cache.store([4], gzip: [UInt8](repeating: 4, count: 100), identity: [UInt8](repeating: 4, count: 0))
        cache.store([5], gzip: [UInt8](repeating: 5, count: 100))
        #expect(cache.bytes <= 400)
        #expect(cache.gzip([2]) == nil, "the least recently used went first")
        #expect(cache.gzip([1]) != nil)
        #expect(cache.gzip([5]) != nil)
    }

    @Test func doesNotKeepBodiesOverAQuarterOfItsCapacity() {
        let cache = ContentCache(capacityBytes: 400)
        cache.store([1], gzip: [UInt8](repeating: 1, count: 101))
        #expect(cache.gzip([1]) == nil)
        #expect(ContentCache(capacityBytes: 0).bytes == 0)
    }

    @Test func readersNeverSeeAnOlderVersionThanTheStoreHolds() throws {
        let store = InMemoryStore()
        let owner = Principal(name: "o", grants: [Grant(prefix: "*", access: .admin)])
        let cache = ContentCache(capacityBytes: 1 << 20)
        let read = ReadState(store: store, cache: cache)
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
