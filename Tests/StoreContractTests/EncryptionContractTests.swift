import Domain
import Gzip
import HTTPTestSupport
import Testing

@testable import Application

#if canImport(Glibc)
    import Glibc
#endif

/// Every store with `[encryption] keys`: what the clients get back is exact, and nothing on disk
/// is readable or can be moved without the error saying so.
@Suite struct EncryptionContractTests {
    static let keyA = try! DataKey(id: "2026-06", bytes: Array(repeating: 0xA1, count: 32))
    static let keyB = try! DataKey(id: "2026-12", bytes: Array(repeating: 0xB2, count: 32))
    /// A marker no compressed or sealed blob contains by chance.
    static let secret = "db-password-Zq8-secret-marker"

    /// A state holding the secret; small enough that SQLite keeps an unencrypted blob in one page.
    static func secretBody(serial: Int64) -> [UInt8] {
        Array(
            String(decoding: stateBody(serial: serial), as: UTF8.self).replacing(
                #""value": """#, with: #""value": "\#(secret)""#
            ).utf8)
    }

    @Test(arguments: StoreKind.available)
    func versionsRoundTripByteExactAndNothingStoredIsReadable(kind: StoreKind) throws {
        let f = try Fixture(kind, keys: try KeyRing([Self.keyA]))
        let bodies = (1...3).map { Self.secretBody(serial: $0) } + [stateBody(serial: 4, padding: 300_000)]
        for body in bodies {
            #expect(throws: Never.self) {
                try f.write().execute(
                    .init(name: name("team/app"), body: body, lockID: nil, contentMD5: nil), as: admin)
            }
        }
        let latest = try f.read().execute(name("team/app"), as: admin, encoding: .identity)
        #expect(latest.body.elementsEqual(bodies[3]))
        let gzip = try f.read().execute(name("team/app"), as: admin, encoding: .gzip)
        #expect(try Gzip.decompress(gzip.body).elementsEqual(bodies[3]))
        for (number, body) in bodies.enumerated() {
            let read = try f.read().execute(
                name("team/app"), version: Int64(number + 1), as: admin, encoding: .identity)
            #expect(read.body.elementsEqual(body))
        }

        let stored = try Self.storedContents(f.raw, name("team/app"))
        #expect(stored.count == 4)
        for bytes in stored {
            #expect(bytes.starts(with: SealedContent.header(keyID: Self.keyA.id)))
            #expect(!ByteScan.contains(bytes, Array(Self.secret.utf8)))
            #expect(ByteScan.inflatedStreams(in: bytes).isEmpty)
        }
        if let file = f.sqliteFile {
            let disk = try ByteScan.fileBytes(file) + ByteScan.fileBytes(file + "-wal")
            #expect(!ByteScan.contains(disk, Array(Self.secret.utf8)))
            #expect(!ByteScan.inflatedStreams(in: disk).contains { ByteScan.contains($0, Array(Self.secret.utf8)) })
        }
    }

    /// The scan above can fail: without keys, the same store holds gzip that inflates to the secret.
    @Test(arguments: StoreKind.available)
    func withoutKeysTheSameScanFindsTheState(kind: StoreKind) throws {
        let f = try Fixture(kind)
        _ = try f.write().execute(
            .init(name: name("team/app"), body: Self.secretBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        let stored = try Self.storedContents(f.raw, name("team/app"))
        #expect(ByteScan.inflatedStreams(in: stored[0]).contains { ByteScan.contains($0, Array(Self.secret.utf8)) })
        if let file = f.sqliteFile {
            let disk = try ByteScan.fileBytes(file) + ByteScan.fileBytes(file + "-wal")
            #expect(ByteScan.inflatedStreams(in: disk).contains { ByteScan.contains($0, Array(Self.secret.utf8)) })
        }
    }

    @Test(arguments: StoreKind.available)
    func versionsWrittenBeforeEncryptionStayReadable(kind: StoreKind) throws {
        let plain = try Fixture(kind)
        _ = try plain.write().execute(
            .init(name: name("app"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        let sealed = EncryptingStore(wrapping: plain.raw, keys: try KeyRing([Self.keyA]))
        let write = WriteState(
            store: sealed, clock: plain.clock, policy: WritePolicy(allowLineageChange: false), compressionLevel: 1)
        _ = try write.execute(
            .init(name: name("app"), body: stateBody(serial: 2), lockID: nil, contentMD5: nil), as: admin)
        let read = ReadState(store: sealed, cache: ContentCache(capacityBytes: 0), heavyWork: HeavyWork(limit: 1))
        #expect(try read.execute(name("app"), version: 1, as: admin, encoding: .identity).body == stateBody(serial: 1))
        #expect(try read.execute(name("app"), version: 2, as: admin, encoding: .identity).body == stateBody(serial: 2))
        let stored = try Self.storedContents(plain.raw, name("app"))
        #expect(stored[0].starts(with: [0x1F, 0x8B]))
        #expect(SealedContent.isSealed(stored[1]))
        // Both keys in the ring, B first: A's versions still open, new ones are sealed with B.
        let rotated = try Fixture(kind, keys: try KeyRing([Self.keyB, Self.keyA]))
        _ = try rotated.write().execute(
            .init(name: name("app"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        let version = try #require(try Self.storedContents(rotated.raw, name("app")).first)
        #expect(version.starts(with: SealedContent.header(keyID: Self.keyB.id)))
    }

    @Test(arguments: StoreKind.available)
    func aChangedMovedOrUnkeyedBlobIsAClearFaultNeverWrongBytes(kind: StoreKind) throws {
        let f = try Fixture(kind, keys: try KeyRing([Self.keyA]))
        let body = stateBody(serial: 1)
        let gzip = try Gzip.compress(body)
        try Self.plant(as: name("flipped"), body: body, in: f.raw) { stateID in
            var sealed = try SealedContent.seal(
                gzip, with: Self.keyA, name: name("flipped"), stateID: stateID, number: 1)
            sealed[sealed.count - 20] ^= 0x01
            return sealed
        }
        // Sealed for "origin", stored as "moved": the associated data differs.
        try Self.plant(as: name("moved"), body: body, in: f.raw) { stateID in
            try SealedContent.seal(gzip, with: Self.keyA, name: name("origin"), stateID: stateID, number: 1)
        }
        // Version 1 of a deleted "renamed", copied onto version 1 of the live "renamed" created after it.
        var deletedBlob: [UInt8] = []
        try Self.plant(as: name("renamed"), body: body, deleted: true, in: f.raw) { stateID in
            deletedBlob = try SealedContent.seal(
                gzip, with: Self.keyA, name: name("renamed"), stateID: stateID, number: 1)
            return deletedBlob
        }
        try Self.plant(as: name("renamed"), body: body, in: f.raw) { _ in deletedBlob }
        let lost = try DataKey(id: "2025-01", bytes: Array(repeating: 7, count: 32))
        try Self.plant(as: name("lost"), body: body, in: f.raw) { stateID in
            try SealedContent.seal(gzip, with: lost, name: name("lost"), stateID: stateID, number: 1)
        }
        // A header naming a key id no ring can hold is not taken into the log as it is.
        try Self.plant(as: name("garbled"), body: body, in: f.raw) { _ in
            SealedContent.magic + [3] + Array("a\nb".utf8) + Array(repeating: 0, count: 40)
        }

        let cases = [
            ("flipped", "version 1 of flipped does not decrypt with key 2026-06"),
            ("moved", "version 1 of moved does not decrypt with key 2026-06"),
            ("renamed", "version 1 of renamed does not decrypt with key 2026-06"),
            ("garbled", "version 1 of garbled does not decrypt with key (unreadable)"),
            ("lost", "version 1 of lost is encrypted with key 2025-01, which is not in the key ring"),
        ]
        for (state, message) in cases {
            for encoding in [ReadState.Encoding.identity, .gzip] {
                do {
                    let read = try f.read().execute(name(state), as: admin, encoding: encoding)
                    Issue.record("\(state) read \(read.body.count) bytes")
                } catch {
                    #expect(error.kind == .fault)
                    #expect(error.logDescription.contains(message), "\(error.logDescription)")
                    #expect(!error.message.contains("2026-06"), "clients are not told: \(error.message)")
                }
            }
        }
    }

    // MARK: - Helpers

    /// The stored bytes of every version of `name`, as the adapter holds them.
    static func storedContents(_ store: any UnitOfWork, _ name: StateName) throws -> [[UInt8]] {
        try store.snapshot { transaction in
            guard let (stateID, _) = try transaction.states.currentVersion(named: name) else { return [] }
            return try transaction.catalog.versions(stateID: stateID).map {
                try #require(try transaction.states.content(of: name, stateID: stateID, version: $0.number))
            }
        }
    }

    /// Stores what `content` makes of the new state's key as version 1 of a new state `name`
    /// holding `body` (soft-deleted when `deleted`), bypassing any sealing.
    static func plant(
        as name: StateName, body: [UInt8], deleted: Bool = false, in store: any UnitOfWork,
        content: (Int64) throws -> [UInt8]
    ) throws {
        let header = try StateHeader(parsing: body)
        let record = VersionRecord(
            number: 1, serial: header.serial, lineage: header.lineage, size: Int64(body.count),
            sha256: StateBlob.sha256(body), md5: StateBlob.md5(body), createdAt: Timestamp(microseconds: 0),
            createdBy: "test", lockID: nil, metadata: StateMetadata(header))
        let entry = StateEntry(
            state: StoredState(id: 0, name: name, createdAt: Timestamp(microseconds: 0), lock: nil, latest: record),
            deletedAt: deleted ? Timestamp(microseconds: 1) : nil, deletedBy: deleted ? "test" : nil)
        try store.transaction { transaction in
            let id = try transaction.imports.insertState(entry)
            try transaction.imports.insertVersion(record, gzip: try content(id), of: name, stateID: id)
        }
    }
}

/// S3 upload parts under `[encryption] keys`: sealed for their upload and number.
@Suite struct EncryptedUploadContractTests {
    @Test(arguments: StoreKind.available)
    func partsAreSealedForTheirUploadAndNumber(kind: StoreKind) throws {
        let f = try Fixture(kind, keys: try KeyRing([EncryptionContractTests.keyA]))
        let alice = Caller(Principal(name: "alice", grants: [Grant(prefix: "*", access: .write)]))
        let body = EncryptionContractTests.secretBody(serial: 1)
        let id = try StartUpload(store: f.store, clock: f.clock).execute(name("team/app"), as: alice)
        let etag = try StoreUploadPart(store: f.store, clock: f.clock, maxBytes: 1 << 20).execute(
            uploadID: id, name: name("team/app"), part: 1, body: body, as: alice)
        let sealed = try #require(try f.raw.read { try $0.uploads.partBytes(uploadID: id, number: 1) })
        #expect(sealed.starts(with: SealedContent.header(keyID: EncryptionContractTests.keyA.id)))
        #expect(!ByteScan.contains(sealed, Array(EncryptionContractTests.secret.utf8)))
        #expect(try f.store.read { try $0.uploads.partBytes(uploadID: id, number: 1) } == body)
        // Moved onto another part number, it does not open.
        try f.raw.transaction { transaction in
            try transaction.uploads.storePart(
                UploadPart(number: 2, size: Int64(sealed.count), md5: etag), bytes: sealed, uploadID: id)
        }
        expectError(.fault) {
            _ = try ApplicationError.translating {
                try f.store.read { try $0.uploads.partBytes(uploadID: id, number: 2) }
            }
        }
        let (outcome, _) = try CompleteUpload(store: f.store, clock: f.clock, write: f.write()).execute(
            uploadID: id, name: name("team/app"), parts: [(1, etag)], precondition: .none, as: alice)
        #expect(outcome.isStored)
        #expect(try f.read().execute(name("team/app"), as: admin, encoding: .identity).body == body)
    }
}
