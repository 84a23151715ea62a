import Application
import Domain
import Gzip
import Testing

/// The raw contents port rekey works through, on every store: counted and listed by prefix in
/// (state, number) order, deleted states included and purged versions never; replaced in place,
/// except where a purge took the content; passed through the encrypting decorator untouched.
@Suite struct StoredContentsContractTests {
    /// A prefix no gzip begins with, as a sealed header would be.
    let prefix: [UInt8] = [0x53, 0x48, 0x45, 0x01, 1, 0x78]

    func write(_ f: Fixture, _ state: String, serial: Int64) throws {
        _ = try f.write().execute(
            .init(name: name(state), body: stateBody(serial: serial), lockID: nil, contentMD5: nil), as: admin)
    }

    @Test(arguments: StoreKind.available)
    func contentsAreListedByPrefixInOrderAndReplacedUnlessPurged(kind: StoreKind) throws {
        let f = try Fixture(kind)
        for state in ["b", "a", "gone"] {
            for serial in 1...2 { try self.write(f, state, serial: Int64(serial)) }
        }
        try f.delete().execute(name("gone"), as: admin)
        _ = try PurgeVersion(store: f.store, clock: f.clock, cache: ContentCache(capacityBytes: 0)).execute(
            name("a"), version: 1, reason: nil, as: admin)
        let ids = try f.store.read { try $0.catalog.allStates() }.reduce(into: [String: Int64]()) {
            $0[$1.state.name.rawValue] = $1.state.id
        }
        let (b, a, gone) = (try #require(ids["b"]), try #require(ids["a"]), try #require(ids["gone"]))
        let stored = try f.store.read { try $0.storedContents.content(stateID: b, number: 1) }
        #expect(try Gzip.decompress(try #require(stored)) == stateBody(serial: 1))

        // Five contents (one purged), in order of state key, then number, a page at a time.
        let tally = try f.store.read { try $0.storedContents.tally(prefix: self.prefix) }
        #expect(tally.matching == 0 && tally.others == 5 && tally.otherBytes > 5 * 10)
        let first = try f.store.read {
            try $0.storedContents.versions(notBeginningWith: self.prefix, after: nil, limit: 3)
        }
        let rest = try f.store.read {
            try $0.storedContents.versions(notBeginningWith: self.prefix, after: first.last?.position, limit: 3)
        }
        #expect(
            (first + rest).map { "\($0.name) \($0.position.number)" } == ["b 1", "b 2", "a 2", "gone 1", "gone 2"])
        #expect((first + rest).map(\.position.stateID) == [b, b, a, gone, gone])
        #expect(first[0].size == Int64(stored?.count ?? 0))
        #expect(tally.otherBytes == (first + rest).reduce(0) { $0 + $1.size })

        // Replaced in place: counted and skipped as beginning with the prefix from then on.
        let replacement = self.prefix + [1, 2, 3]
        #expect(try f.store.transaction { try $0.storedContents.replace(stateID: b, number: 2, with: replacement) })
        #expect(try f.store.read { try $0.storedContents.content(stateID: b, number: 2) } == replacement)
        let after = try f.store.read { try $0.storedContents.tally(prefix: self.prefix) }
        #expect(after == ContentTally(matching: 1, others: 4, otherBytes: tally.otherBytes - (first[1].size)))
        let listed = try f.store.read {
            try $0.storedContents.versions(notBeginningWith: self.prefix, after: first[0].position, limit: 10)
        }
        #expect(listed.map { "\($0.name) \($0.position.number)" } == ["a 2", "gone 1", "gone 2"])

        // A purge wins: no content comes back, and nothing else changed.
        #expect(try !f.store.transaction { try $0.storedContents.replace(stateID: a, number: 1, with: replacement) })
        #expect(try f.store.read { try $0.storedContents.content(stateID: a, number: 1) } == nil)
        #expect(try !f.store.transaction { try $0.storedContents.replace(stateID: a, number: 9, with: replacement) })
        #expect(try f.store.read { try $0.catalog.version(stateID: a, number: 1) }?.purge != nil)
    }

    @Test(arguments: StoreKind.available)
    func theEncryptingStorePassesStoredContentsThroughAsTheyAre(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let key = try DataKey(id: "x", bytes: Array(repeating: 7, count: 32))
        let sealing = EncryptingStore(wrapping: f.store, keys: try KeyRing([key]))
        _ = try WriteState(
            store: sealing, clock: f.clock, policy: WritePolicy(allowLineageChange: false), compressionLevel: 1
        ).execute(.init(name: name("app"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        let id = try #require(try f.store.read { try $0.catalog.state(named: name("app")) }?.id)
        let raw = try f.store.read { try $0.storedContents.content(stateID: id, number: 1) }
        let through = try sealing.read { try $0.storedContents.content(stateID: id, number: 1) }
        #expect(raw?.starts(with: self.prefix) == true && through == raw)
        #expect(try sealing.read { try $0.storedContents.tally(prefix: self.prefix) }.matching == 1)
    }
}
