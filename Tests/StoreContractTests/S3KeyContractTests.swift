import Domain
import Foundation
import HTTPTestSupport
import Testing

@testable import Application

/// S3 keys on every store: found by access key id, the secret recoverable, sealed with the key
/// ring when there is one (nothing readable on disk), failing closed when it does not open.
@Suite struct S3KeyContractTests {
    let ci = Caller(Principal(name: "ci", grants: [Grant(prefix: "team", access: .write)]))
    static let keyA = try! DataKey(id: "2026-06", bytes: Array(repeating: 0xA1, count: 32))
    static let keyB = try! DataKey(id: "2026-12", bytes: Array(repeating: 0xB2, count: 32))

    func createKey(_ f: Fixture, _ name: String = "s3") throws -> CreateToken.Created {
        try CreateToken(store: f.store, clock: f.clock, policy: .standard).execute(
            name: name, grants: [Grant(prefix: "team/", access: .write)], expiresIn: nil, s3: true, as: self.ci)
    }

    func verifier(_ store: any UnitOfWork, _ f: Fixture) -> S3KeyVerifier {
        S3KeyVerifier(store: store, clock: f.clock) { owner in
            ["ci": [Grant(prefix: "team", access: .write)]][owner]
        }
    }

    /// The on-disk bytes of an SQLite fixture.
    static func disk(_ f: Fixture) throws -> [UInt8]? {
        try f.sqliteFile.map { try ByteScan.fileBytes($0) + ByteScan.fileBytes($0 + "-wal") }
    }

    @Test(arguments: StoreKind.available)
    func keysRoundTripAndAreFoundByAccessKeyID(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let created = try self.createKey(f)
        let accessKeyID = try #require(created.accessKeyID)
        #expect(S3Secret.isAccessKeyID(accessKeyID))
        #expect(created.secretAccessKey == created.secret && created.secret.utf8.count == 40)
        #expect(created.token.secretHash == TokenSecret.hash(created.secret))
        let found = try f.store.read { try $0.tokens.token(accessKeyID: accessKeyID) }
        #expect(found == created.token)
        #expect(found?.s3?.secret == created.secret && found?.s3?.isSealed == false)
        #expect(try f.store.read { try $0.tokens.token(id: created.token.id) } == created.token)
        #expect(try f.store.read { try $0.tokens.token(accessKeyID: S3Secret.newAccessKeyID()) } == nil)

        let plain = try CreateToken(store: f.store, clock: f.clock, policy: .standard).execute(
            name: "bearer", grants: [Grant(prefix: "team/", access: .read)], expiresIn: nil, as: self.ci)
        #expect(plain.accessKeyID == nil && plain.secretAccessKey == nil && plain.token.s3 == nil)
        #expect(try f.store.read { try $0.tokens.token(id: plain.token.id) }?.s3 == nil)
        #expect(try ListTokens(store: f.store).execute(as: self.ci).map(\.s3?.accessKeyID) == [nil, accessKeyID])

        // The access key id is unique, whoever holds it.
        let twin = StoredToken(
            id: TokenSecret.newID(), name: "twin", owner: "ci", grants: created.token.grants,
            secretHash: TokenSecret.hash("other"), createdAt: f.clock.now(), expiresAt: created.token.expiresAt,
            s3: S3KeyMaterial(accessKeyID: accessKeyID, secret: "other"))
        #expect(throws: (any Error).self) { try f.store.transaction { try $0.tokens.insert(twin) } }

        // Revoked keys are still found (and refused by the verifier).
        _ = try RevokeToken(store: f.store, clock: f.clock).execute(id: created.token.id, as: self.ci)
        #expect(try f.store.read { try $0.tokens.token(accessKeyID: accessKeyID) }?.revokedAt == f.clock.now())

        // Without a key ring the secret is on disk as it is: the scan below can fail.
        if let disk = try Self.disk(f) {
            #expect(ByteScan.contains(disk, Array(created.secret.utf8)))
        }
    }

    @Test(arguments: StoreKind.available)
    func sealedSecretsRoundTripAndNothingOnDiskIsReadable(kind: StoreKind) throws {
        let f = try Fixture(kind, keys: try KeyRing([Self.keyA]))
        let created = try self.createKey(f)
        let accessKeyID = try #require(created.accessKeyID)

        let raw = try #require(try f.raw.read { try $0.tokens.token(accessKeyID: accessKeyID) }?.s3)
        #expect(raw.isSealed && raw.secret == nil)
        #expect(try SealedSecret.keyID(of: raw.storedSecret) == Self.keyA.id)
        #expect(!ByteScan.contains(raw.storedSecret, Array(created.secret.utf8)))
        // Listings (and so backups) carry it sealed; a lookup by access key id opens it.
        #expect(try f.store.read { try $0.tokens.unrevokedTokens(owner: nil) }.first?.s3 == raw)
        let opened = try #require(try f.store.read { try $0.tokens.token(accessKeyID: accessKeyID) }?.s3)
        #expect(opened.secret == created.secret)
        guard case .accepted(let credential) = self.verifier(f.store, f).credential(accessKeyID: accessKeyID) else {
            Issue.record("not accepted")
            return
        }
        #expect(credential.secret == created.secret)
        if let disk = try Self.disk(f) {
            #expect(!ByteScan.contains(disk, Array(created.secret.utf8)))
        }
    }

    @Test(arguments: StoreKind.available)
    func aSecretThatDoesNotOpenFailsClosed(kind: StoreKind) throws {
        let f = try Fixture(kind, keys: try KeyRing([Self.keyA]))
        let first = try #require(try self.createKey(f, "first").accessKeyID)
        let second = try self.createKey(f, "second")
        let secondID = try #require(second.accessKeyID)

        // Another ring: the key is not in it.
        let other = EncryptingStore(wrapping: f.raw, keys: try KeyRing([Self.keyB]))
        let unknown = #expect(throws: StoreError.self) { try other.read { try $0.tokens.token(accessKeyID: first) } }
        #expect(unknown?.kind == .fault)
        #expect(unknown?.message.contains("encrypted with key 2026-06, which is not in the key ring") == true)
        guard case .unavailable(let why) = self.verifier(other, f).credential(accessKeyID: first) else {
            Issue.record("not unavailable")
            return
        }
        #expect(why.contains("not in the key ring"))

        // The first key's sealed secret copied onto the second: the associated data differs.
        let sealedFirst = try #require(try f.raw.read { try $0.tokens.token(accessKeyID: first) }?.s3?.storedSecret)
        try f.raw.transaction { try $0.tokens.replaceS3Secret(id: second.token.id, storedSecret: sealedFirst) }
        let moved = #expect(throws: StoreError.self) { try f.store.read { try $0.tokens.token(accessKeyID: secondID) } }
        #expect(moved?.message.contains("does not decrypt with key 2026-06") == true)
        // A flipped byte.
        var flipped = sealedFirst
        flipped[flipped.count - 20] ^= 1
        try f.raw.transaction { try $0.tokens.replaceS3Secret(id: second.token.id, storedSecret: flipped) }
        #expect(throws: StoreError.self) { try f.store.read { try $0.tokens.token(accessKeyID: secondID) } }
        // Sealed, read without any key ring wrapper: never used as a secret.
        guard case .unavailable = self.verifier(f.raw, f).credential(accessKeyID: first) else {
            Issue.record("a sealed secret was used as it is")
            return
        }
    }

    @Test(arguments: StoreKind.available)
    func rekeyReSealsSecrets(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let plain = try self.createKey(f, "plain")
        let ringA = try KeyRing([Self.keyA])
        let sealedA = try CreateToken(
            store: EncryptingStore(wrapping: f.raw, keys: ringA), clock: f.clock, policy: .standard
        )
        .execute(name: "sealed", grants: [Grant(prefix: "team/", access: .read)], expiresIn: nil, s3: true, as: self.ci)

        let ring = try KeyRing([Self.keyB, Self.keyA])
        let report = try RekeyStore(
            store: EncryptingStore(wrapping: f.raw, keys: ring), keys: ring, clock: f.clock, caller: admin
        ).execute()
        #expect(report.s3Secrets == 2)
        #expect(report.summary.hasSuffix("; 2 S3 key secrets re-encrypted"))
        let onlyB = EncryptingStore(wrapping: f.raw, keys: try KeyRing([Self.keyB]))
        for created in [plain, sealedA] {
            let id = try #require(created.accessKeyID)
            let raw = try #require(try f.raw.read { try $0.tokens.token(accessKeyID: id) }?.s3)
            #expect(try SealedSecret.keyID(of: raw.storedSecret) == Self.keyB.id)
            #expect(try onlyB.read { try $0.tokens.token(accessKeyID: id) }?.s3?.secret == created.secret)
        }
        let again = try RekeyStore(
            store: EncryptingStore(wrapping: f.raw, keys: ring), keys: ring, clock: f.clock, caller: admin
        ).execute()
        #expect(again.s3Secrets == 0)
    }

    @Test(arguments: StoreKind.available)
    func backupsCarryTheSecretSealedAndARestoredKeyWorks(kind: StoreKind) throws {
        let backups = BackupTests()
        let ringA = try KeyRing([Self.keyA])
        let source = try Fixture(kind, keys: ringA)
        let created = try self.createKey(source)
        let accessKeyID = try #require(created.accessKeyID)
        let path = backups.directory()
        #expect(try backups.export(source, to: path).tokens == 1)
        let line = try #require(try backups.files(path)["tokens.jsonl"])
        #expect(String(decoding: line, as: UTF8.self).contains(#""s3_access_key_id":"\#(accessKeyID)""#))
        #expect(!ByteScan.contains(Array(line), Array(created.secret.utf8)))

        let restored = try Fixture(kind, keys: ringA)
        try backups.import(path, into: restored)
        guard
            case .accepted(let credential) = self.verifier(restored.store, restored).credential(
                accessKeyID: accessKeyID)
        else {
            Issue.record("the restored key is not accepted")
            return
        }
        #expect(credential.secret == created.secret && credential.principal.name == "token:ci/s3")
        // Restored where the key ring lacks the key: refused, never used sealed.
        let elsewhere = try Fixture(kind, keys: try KeyRing([Self.keyB]))
        try backups.import(path, into: elsewhere)
        guard case .unavailable = self.verifier(elsewhere.store, elsewhere).credential(accessKeyID: accessKeyID) else {
            Issue.record("not unavailable")
            return
        }
    }
}
