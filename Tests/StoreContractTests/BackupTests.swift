import Application
import BackupDirectory
import Domain
import Foundation
import SystemSupport
import Testing

/// `statehouse export` and `import` between every pair of adapters, through real directories.
@Suite struct BackupTests {
    let copies = CopyStoreTests()

    /// A path for a new backup directory under the temporary directory (the export creates it).
    func directory() -> String {
        NSTemporaryDirectory() + "statehouse-backup-\(UInt64.random(in: 1...UInt64.max))"
    }

    func export(_ f: Fixture, to path: String) throws -> BackupCounts {
        try ExportStore(store: f.store, clock: f.clock, producer: "statehouse test").execute(
            into: try BackupDirectory.create(path))
    }

    @discardableResult
    func `import`(_ path: String, into f: Fixture, merge: Bool = false) throws -> ImportStore.Report {
        try ImportStore(store: f.store, compressionLevel: 1).execute(
            from: try BackupDirectory.open(path), merge: merge)
    }

    func events(_ f: Fixture) throws -> [AuditEvent] {
        try ReadAudit(store: f.store).execute(AuditQuery(limit: 1000), as: admin).events.map { $0.withID(0) }
    }

    func tokens(_ f: Fixture) throws -> [StoredToken] {
        try f.store.read { try $0.tokens.unrevokedTokens(owner: nil) }
    }

    /// Every file of the backup at `path` but the manifest, by path.
    func files(_ path: String) throws -> [String: Data] {
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: path + "/manifest.json"))) as? [String: Any]
        let listed = try #require(manifest?["files"] as? [[String: Any]])
        return try Dictionary(
            uniqueKeysWithValues: listed.map {
                let file = try #require($0["path"] as? String)
                return (file, try Data(contentsOf: URL(fileURLWithPath: path + "/" + file)))
            })
    }

    /// Store A → backup 1 → store B (another kind) → backup 2 → store C (A's kind): every state,
    /// version, lock, deletion, audit event and token the same in all three, the two backups the
    /// same file for file.
    @Test(arguments: CopyStoreTests.pairs)
    func aBackupRestoresEverythingExactly(from: StoreKind, to: StoreKind) throws {
        let source = try Fixture(from)
        try self.copies.populate(source)
        let first = self.directory()
        let counts = try self.export(source, to: first)
        #expect(counts.states == 5 && counts.deletedStates == 1 && counts.versions == 7 && counts.purgedVersions == 1)
        let sourceEvents = try self.events(source)
        #expect(counts.tokens == 1 && counts.auditEvents == sourceEvents.count)
        let middle = try Fixture(to)
        let report = try self.import(first, into: middle)
        #expect(report.added == counts)
        #expect(report.present == BackupCounts())
        let second = self.directory()
        #expect(try self.export(middle, to: second) == counts)
        let last = try Fixture(from)
        try self.import(second, into: last)
        for f in [middle, last] {
            #expect(try self.copies.snapshot(f) == self.copies.snapshot(source))
            #expect(try self.events(f) == self.events(source))
            #expect(try self.tokens(f) == self.tokens(source))
        }
        #expect(try self.files(second) == self.files(first))
        #expect(try self.files(first).count == 5 + 6 + 2, "a state.json per state, a file per unpurged version")
        // The bodies are the bytes the client sent.
        let app = try #require(try self.files(first)["states/team/app/@live/3.tfstate"])
        #expect(Array(app) == stateBody(serial: 3, padding: 3))
        #expect(try self.files(first)["states/gone/@deleted-1/state.json"] != nil)
        #expect(try self.files(first)["states/infra/env:/dev/big/@live/1.tfstate"] != nil)
        // Owner-only.
        let attributes = try FileManager.default.attributesOfItem(atPath: first + "/states/team/app/@live/3.tfstate")
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: first + "/states/team")
        #expect(folder[.posixPermissions] as? Int == 0o700)
        // The restored store works: the held lock holds, the next write follows on.
        expectLocked(by: try LockInfo(json: lockBody("held"))) {
            _ = try last.lock().execute(name("team/app"), body: lockBody("other"), as: admin)
        }
    }

    /// A state's current version is whatever the store says, not simply its newest.
    @Test func keepsTheCurrentVersionAsRecorded() throws {
        let source = try Fixture(.sqlite)
        for serial in 1...3 {
            _ = try source.write().execute(
                .init(name: name("s"), body: stateBody(serial: Int64(serial)), lockID: nil, contentMD5: nil), as: admin)
        }
        try source.execute("UPDATE states SET latest_version = 1")
        let path = self.directory()
        _ = try self.export(source, to: path)
        let destination = try Fixture(.memory)
        try self.import(path, into: destination)
        #expect(try destination.read().execute(name("s"), as: admin, encoding: .identity).body == stateBody(serial: 1))
        #expect(try self.copies.snapshot(destination) == self.copies.snapshot(source))
    }

    @Test func exportRefusesADirectoryThatIsNotEmpty() throws {
        let path = self.directory()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path + "/notes.txt", contents: Data("keep".utf8)))
        expectError(.invalidInput) { _ = try BackupDirectory.create(path) }
        let empty = self.directory()
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        _ = try BackupDirectory.create(empty)
    }

    /// A damaged backup is refused before anything is written.
    @Test(arguments: [
        "changed", "longer", "missing", "no manifest", "link", "stray", "counts", "record", "deep", "outside",
    ])
    func aDamagedBackupIsRefusedBeforeWriting(damage: String) throws {
        let source = try Fixture(.memory)
        try self.copies.populate(source)
        let path = self.directory()
        _ = try self.export(source, to: path)
        let version = path + "/states/team/app/@live/2.tfstate"
        let manifest = path + "/manifest.json"
        let manager = FileManager.default
        switch damage {
        case "changed":
            var bytes = try Data(contentsOf: URL(fileURLWithPath: version))
            bytes[10] ^= 1
            try bytes.write(to: URL(fileURLWithPath: version))
        case "longer":
            try (Data(contentsOf: URL(fileURLWithPath: version)) + Data(" ".utf8)).write(
                to: URL(fileURLWithPath: version))
        case "missing":
            try manager.removeItem(atPath: version)
        case "no manifest":
            try manager.removeItem(atPath: manifest)
        case "link":
            let elsewhere = self.directory()
            try manager.copyItem(atPath: version, toPath: elsewhere)
            try manager.removeItem(atPath: version)
            try manager.createSymbolicLink(atPath: version, withDestinationPath: elsewhere)
        case "stray":
            // A listed file that no state.json names.
            try manager.copyItem(atPath: version, toPath: path + "/states/team/app/@live/9.tfstate")
            let entry = try #require(
                try String(contentsOfFile: manifest, encoding: .utf8).firstMatch(
                    of: /\{"path":"states\/team\/app\/@live\/2.tfstate"[^}]*\}/))
            try self.rewriteManifest(manifest) {
                $0.replacingOccurrences(
                    of: "\"files\":[\n",
                    with: "\"files\":[\n  " + entry.output.replacingOccurrences(of: "/2.tfstate", with: "/9.tfstate")
                        + ",\n")
            }
        case "deep":
            try self.rewriteManifest(manifest) {
                $0.replacingOccurrences(of: "\"counts\":", with: "\"extra\":[[[[[[[[[]]]]]]]]],\"counts\":")
            }
        case "outside":
            try self.rewriteManifest(manifest) {
                $0.replacingOccurrences(of: "\"path\":\"audit.jsonl\"", with: "\"path\":\"states/../../audit.jsonl\"")
            }
        case "counts":
            try self.rewriteManifest(manifest) { $0.replacingOccurrences(of: "\"tokens\":1", with: "\"tokens\":2") }
        default:
            // A version's recorded digest changed consistently in state.json and the manifest: the
            // body no longer matches its record.
            let state = path + "/states/team/app/@live/state.json"
            let text = try String(contentsOfFile: state, encoding: .utf8)
            let second = try #require(text.firstRange(of: /"number":2,/))
            let md5 = try #require(text[second.upperBound...].firstRange(of: /"md5":"[0-9a-f]{32}"/))
            let changed = text.replacingCharacters(
                in: md5, with: "\"md5\":\"" + String(repeating: "0", count: 32) + "\"")
            try Data(changed.utf8).write(to: URL(fileURLWithPath: state))
            let digest = Hex.encode(StateBlob.sha256(Array(changed.utf8)))
            let size = changed.utf8.count
            try self.rewriteManifest(manifest) {
                $0.replacing(
                    /\{"path":"states\/team\/app\/@live\/state.json","size":\d+,"sha256":"[0-9a-f]+"\}/,
                    with: "{\"path\":\"states/team/app/@live/state.json\",\"size\":\(size),\"sha256\":\"\(digest)\"}")
            }
        }
        let destination = try Fixture(.sqlite)
        do {
            try self.import(path, into: destination)
            Issue.record("the damaged backup (\(damage)) was imported")
        } catch {
            let expected =
                switch damage {
                case "changed": "2.tfstate does not match its size and SHA-256"
                case "longer": "more than the"
                case "missing": "2.tfstate, listed in manifest.json, is missing"
                case "no manifest": "its export did not finish"
                case "link": "a symbolic link"
                case "stray": "which no state.json names"
                case "deep": "nested too deeply"
                case "outside": "which is not a file of this format"
                case "counts": "counts in manifest.json differ"
                default: "version 2 of team/app in the backup"
                }
            #expect("\(error)".contains(expected), "\(error)")
        }
        #expect(try destination.store.read { try $0.catalog.allStates() }.isEmpty)
        #expect(try self.events(destination).isEmpty)
    }

    func rewriteManifest(_ path: String, _ change: (String) -> String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the damage applies")
        try Data(changed.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// `--merge` adds the states, versions, events and tokens the store lacks, and nothing twice.
    @Test(arguments: StoreKind.available)
    func mergeAddsOnlyWhatIsMissing(kind: StoreKind) throws {
        let source = try Fixture(.memory)
        try self.copies.populate(source)
        let old = self.directory()
        _ = try self.export(source, to: old)
        let destination = try Fixture(kind)
        try self.import(old, into: destination)
        // The source moves on: a new version of team/app, a new state.
        source.clock.advance(seconds: 60)
        _ = try source.write().execute(
            .init(name: name("team/app"), body: stateBody(serial: 5), lockID: "held", contentMD5: nil), as: admin)
        _ = try source.write().execute(
            .init(name: name("team/new"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        let new = self.directory()
        _ = try self.export(source, to: new)
        let report = try self.import(new, into: destination, merge: true)
        #expect(report.added.states == 1 && report.added.versions == 2)
        #expect(report.added.bytes == Int64(stateBody(serial: 5).count + stateBody(serial: 1).count))
        #expect(report.added.auditEvents == 2)
        #expect(report.present.states == 5 && report.present.versions == 7 && report.present.tokens == 1)
        #expect(try self.copies.snapshot(destination).sorted() == self.copies.snapshot(source).sorted())
        #expect(Set(try self.events(destination).map { "\($0)" }) == Set(try self.events(source).map { "\($0)" }))
        // Again: nothing to add.
        let again = try self.import(new, into: destination, merge: true)
        #expect(again.added == BackupCounts())
        // Without --merge, a store that holds states is refused.
        expectError(.conflict) { try self.import(new, into: destination) }
    }

    /// A version number whose bytes differ on the two sides is a conflict, and nothing is written.
    @Test(arguments: StoreKind.available)
    func mergeRefusesAConflictAndWritesNothing(kind: StoreKind) throws {
        let source = try Fixture(.memory)
        try self.copies.populate(source)
        let destination = try Fixture(kind)
        let first = self.directory()
        _ = try self.export(source, to: first)
        try self.import(first, into: destination)
        // Both sides write a version 5 of team/app, with different bodies; the source also a new state.
        for (f, padding) in [(source, 1), (destination, 2)] {
            _ = try f.write().execute(
                .init(
                    name: name("team/app"), body: stateBody(serial: 5, padding: padding), lockID: "held",
                    contentMD5: nil),
                as: admin)
        }
        _ = try source.write().execute(
            .init(name: name("other"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        let second = self.directory()
        _ = try self.export(source, to: second)
        let before = try self.copies.snapshot(destination)
        do {
            try self.import(second, into: destination, merge: true)
            Issue.record("the conflict was merged")
        } catch let error as ApplicationError {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("version 5 of team/app differs"), "\(error.message)")
        }
        #expect(try self.copies.snapshot(destination) == before)
    }

    /// A backup's API token whose name a different live token of its owner holds is a conflict
    /// named before the unique index is reached, and nothing is written.
    @Test(arguments: StoreKind.available)
    func mergeRefusesATokenNameHeldByAnotherToken(kind: StoreKind) throws {
        let source = try Fixture(.memory)
        let destination = try Fixture(kind)
        for f in [source, destination] {
            _ = try CreateToken(store: f.store, clock: f.clock, policy: .standard).execute(
                name: "ci", grants: [Grant(prefix: "team", access: .write)], expiresIn: nil, as: admin)
        }
        _ = try source.write().execute(
            .init(name: name("app"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        let path = self.directory()
        _ = try self.export(source, to: path)
        let before = try self.copies.snapshot(destination)
        let tokensBefore = try self.tokens(destination)
        do {
            try self.import(path, into: destination, merge: true)
            Issue.record("the token was merged")
        } catch let error as ApplicationError {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("API token ci of root is tok_"), "\(error.message)")
        }
        #expect(try self.copies.snapshot(destination) == before)
        #expect(try self.tokens(destination) == tokensBefore)
    }

    /// An encrypted store exports plain bodies with its key, and refuses without it, naming the
    /// state, the version and the key.
    @Test(arguments: StoreKind.available)
    func anEncryptedStoreExportsPlainBodiesOnlyWithItsKey(kind: StoreKind) throws {
        let plain = try Fixture(kind)
        let ring = try KeyRing(entries: ["k1:" + Base64.encode([UInt8](repeating: 7, count: 32))])
        let sealed = EncryptingStore(wrapping: plain.store, keys: ring)
        _ = try WriteState(
            store: sealed, clock: plain.clock, policy: WritePolicy(allowLineageChange: false), compressionLevel: 1
        ).execute(
            .init(name: name("secret/app"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        let path = self.directory()
        _ = try ExportStore(store: sealed, clock: plain.clock, producer: "test").execute(
            into: try BackupDirectory.create(path))
        #expect(
            try Array(Data(contentsOf: URL(fileURLWithPath: path + "/states/secret/app/@live/1.tfstate")))
                == stateBody(serial: 1))
        let withoutKey = EncryptingStore(wrapping: plain.store, keys: KeyRing.empty)
        do {
            _ = try ExportStore(store: withoutKey, clock: plain.clock, producer: "test").execute(
                into: try BackupDirectory.create(self.directory()))
            Issue.record("exported without the key")
        } catch {
            #expect(error.logDescription.contains("version 1 of secret/app is encrypted with key k1"), "\(error)")
        }
        // Imported into a store with another key, the version is sealed with that key.
        let other = try Fixture(.memory)
        let otherRing = try KeyRing(entries: ["k2:" + Base64.encode([UInt8](repeating: 9, count: 32))])
        _ = try ImportStore(store: EncryptingStore(wrapping: other.store, keys: otherRing), compressionLevel: 1)
            .execute(from: try BackupDirectory.open(path), merge: false)
        let stored = try other.store.read { transaction in
            let state = try #require(try transaction.catalog.state(named: name("secret/app")))
            return try #require(try transaction.states.content(of: state.name, stateID: state.id, version: 1))
        }
        #expect(stored.starts(with: Array("SHE".utf8)), "sealed with the importing store's key")
    }
}
