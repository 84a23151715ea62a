import Application
import Domain
import Testing

/// S3 multipart uploads: the repository and the use cases over it, on every adapter.
@Suite struct S3UploadContractTests {
    let alice = Caller(Principal(name: "alice", grants: [Grant(prefix: "*", access: .write)]))
    let bob = Caller(Principal(name: "bob", grants: [Grant(prefix: "*", access: .write)]))

    func start(_ f: Fixture, _ state: String = "infra/app", as caller: Caller? = nil) throws -> String {
        try StartUpload(store: f.store, clock: f.clock).execute(name(state), as: caller ?? self.alice)
    }

    func part(_ f: Fixture, maxBytes: Int = 16 << 20) -> StoreUploadPart {
        StoreUploadPart(store: f.store, clock: f.clock, maxBytes: maxBytes)
    }

    func complete(_ f: Fixture) -> CompleteUpload {
        CompleteUpload(store: f.store, clock: f.clock, write: f.write())
    }

    @Test(arguments: StoreKind.available)
    func theRepositoryKeepsPartsByNumberUntilTheUploadGoes(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let early = StoredUpload(id: "u1", name: name("a"), principal: "alice", startedAt: f.clock.now())
        f.clock.advance(seconds: 10)
        let late = StoredUpload(id: "u2", name: name("b"), principal: "alice", startedAt: f.clock.now())
        let other = StoredUpload(id: "u3", name: name("b"), principal: "bob", startedAt: f.clock.now())
        try f.store.transaction { transaction in
            for upload in [early, late, other] { try transaction.uploads.insert(upload) }
            try transaction.uploads.storePart(
                UploadPart(number: 2, size: 3, md5: [2]), bytes: [2, 2, 2], uploadID: "u1")
            try transaction.uploads.storePart(UploadPart(number: 1, size: 1, md5: [1]), bytes: [1], uploadID: "u1")
            try transaction.uploads.storePart(UploadPart(number: 2, size: 2, md5: [9]), bytes: [9, 9], uploadID: "u1")
            try transaction.uploads.storePart(UploadPart(number: 1, size: 1, md5: [7]), bytes: [7], uploadID: "u2")
        }
        try f.store.transaction { (transaction: any Transaction) throws in
            #expect(try transaction.uploads.uploadForUpdate(id: "u1") == early)
            #expect(try transaction.uploads.uploadForUpdate(id: "nope") == nil)
            #expect(try transaction.uploads.uploadCount(principal: "alice") == 2)
            #expect(
                try transaction.uploads.parts(uploadID: "u1") == [
                    UploadPart(number: 1, size: 1, md5: [1]), UploadPart(number: 2, size: 2, md5: [9]),
                ])
            #expect(try transaction.uploads.partBytes(uploadID: "u1", number: 2) == [9, 9])
            #expect(try transaction.uploads.partBytes(uploadID: "u1", number: 3) == nil)
            #expect(try transaction.uploads.parts(uploadID: "u3") == [])
        }
        // Only uploads started before the cutoff, at most `limit` of them, oldest first.
        let removed = try f.store.transaction { transaction in
            try transaction.uploads.deleteStarted(before: f.clock.now(), limit: 5)
        }
        #expect(removed == 1)
        try f.store.transaction { (transaction: any Transaction) throws in
            #expect(try transaction.uploads.uploadForUpdate(id: "u1") == nil)
            #expect(try transaction.uploads.partBytes(uploadID: "u1", number: 1) == nil)
            #expect(try transaction.uploads.deleteUpload(id: "u2"))
            #expect(try !transaction.uploads.deleteUpload(id: "u2"))
            #expect(try transaction.uploads.parts(uploadID: "u2") == [])
            #expect(try transaction.uploads.uploadCount(principal: "alice") == 0)
        }
        f.clock.advance(seconds: 1)
        #expect(try f.store.transaction { try $0.uploads.deleteStarted(before: f.clock.now(), limit: 0) } == 0)
        #expect(try f.store.transaction { try $0.uploads.deleteStarted(before: f.clock.now(), limit: 5) } == 1)
    }

    @Test(arguments: StoreKind.available)
    func aCompletedUploadIsOneVersionOfTheJoinedParts(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let body = stateBody(serial: 1, padding: 11 << 20)
        let cuts = [0, 5 << 20, 10 << 20, body.count]
        let id = try self.start(f)
        var etags: [Int: [UInt8]] = [:]
        for number in [3, 1, 2] {
            etags[number] = try self.part(f).execute(
                uploadID: id, name: name("infra/app"), part: number,
                body: Array(body[cuts[number - 1]..<cuts[number]]), as: self.alice)
        }
        #expect(etags[2] == StateBlob.md5(Array(body[cuts[1]..<cuts[2]])))
        let listed = (1...3).map { (number: $0, etag: etags[$0]!) }
        let (outcome, md5OfMD5s) = try self.complete(f).execute(
            uploadID: id, name: name("infra/app"), parts: listed, precondition: .absent, as: self.alice)
        #expect(outcome.isStored)
        #expect(md5OfMD5s == StateBlob.md5(etags[1]! + etags[2]! + etags[3]!))
        let stored = try f.read().execute(name("infra/app"), as: admin, encoding: .identity)
        #expect(stored.version.md5 == StateBlob.md5(body))
        #expect(StateBlob.md5(stored.body) == StateBlob.md5(body))
        #expect(stored.version.createdBy == "alice")
        // The upload is gone with its parts.
        expectError(.notFound) {
            try AbortUpload(store: f.store).execute(uploadID: id, name: name("infra/app"), as: self.alice)
        }
        #expect(try f.store.read { try $0.uploads.parts(uploadID: id) } == [])
    }

    @Test(arguments: StoreKind.available)
    func partsAreBoundedAndBelongToTheirUploadAndPrincipal(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let id = try self.start(f)
        let part = self.part(f)
        for number in [0, 10_001] {
            expectError(.invalidInput) {
                _ = try part.execute(uploadID: id, name: name("infra/app"), part: number, body: [1], as: self.alice)
            }
        }
        do {
            _ = try part.execute(uploadID: "unknown", name: name("infra/app"), part: 1, body: [1], as: self.alice)
            Issue.record("an unknown upload took a part")
        } catch {
            #expect(error.kind == .notFound && error.message.contains("upload"))
        }
        expectError(.notFound) {
            _ = try part.execute(uploadID: id, name: name("infra/other"), part: 1, body: [1], as: self.alice)
        }
        expectError(.notFound) {
            _ = try part.execute(
                uploadID: String(repeating: "f", count: 100), name: name("infra/app"), part: 1, body: [1],
                as: self.alice)
        }
        expectError(.forbidden) {
            _ = try part.execute(uploadID: id, name: name("infra/app"), part: 1, body: [1], as: self.bob)
        }
        expectError(.forbidden) {
            try AbortUpload(store: f.store).execute(uploadID: id, name: name("infra/app"), as: self.bob)
        }
        // The parts together stay within the largest state; a replaced part counts once.
        let small = self.part(f, maxBytes: 100)
        _ = try small.execute(
            uploadID: id, name: name("infra/app"), part: 1, body: Array(repeating: 1, count: 60), as: self.alice)
        _ = try small.execute(
            uploadID: id, name: name("infra/app"), part: 1, body: Array(repeating: 2, count: 60), as: self.alice)
        expectError(.invalidInput) {
            _ = try small.execute(
                uploadID: id, name: name("infra/app"), part: 2, body: Array(repeating: 3, count: 41), as: self.alice)
        }
        expectError(.invalidInput) {
            _ = try small.execute(
                uploadID: id, name: name("infra/app"), part: 2, body: Array(repeating: 3, count: 101), as: self.alice)
        }
        _ = try small.execute(
            uploadID: id, name: name("infra/app"), part: 2, body: Array(repeating: 3, count: 40), as: self.alice)
        #expect(try f.store.read { try $0.uploads.parts(uploadID: id) }.map(\.size) == [60, 40])
        try AbortUpload(store: f.store).execute(uploadID: id, name: name("infra/app"), as: self.alice)
        #expect(try f.store.read { try $0.uploads.parts(uploadID: id) } == [])
    }

    @Test(arguments: StoreKind.available)
    func aPrincipalHasAtMostTenUploadsOpenForADay(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let ids = try (0..<StartUpload.maxOpenPerPrincipal).map { _ in try self.start(f) }
        #expect(Set(ids).count == 10 && ids.allSatisfy { $0.utf8.count == 32 })
        expectError(.invalidInput) { _ = try self.start(f) }
        _ = try self.start(f, as: self.bob)
        try AbortUpload(store: f.store).execute(uploadID: ids[0], name: name("infra/app"), as: self.alice)
        _ = try self.start(f)
        let reader = Caller(Principal(name: "reader", grants: [Grant(prefix: "*", access: .read)]))
        expectError(.forbidden) { _ = try self.start(f, as: reader) }
        // A day later the uploads are unknown, and retention removes them.
        f.clock.advance(seconds: StoredUpload.lifetimeSeconds)
        expectError(.notFound) {
            _ = try self.part(f).execute(uploadID: ids[1], name: name("infra/app"), part: 1, body: [1], as: self.alice)
        }
        f.clock.advance(seconds: 1)
        let report = try ApplyRetention(
            store: f.store, clock: f.clock,
            policy: RetentionPolicy(versionDays: nil, keepVersions: 10, deletedStateDays: nil)
        ).execute()
        #expect(report.uploadsExpired == 11)
        _ = try self.start(f)
    }

    @Test(arguments: StoreKind.available)
    func aCompletionChecksThePartsAndTheWriteAndKeepsARefusedUpload(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let id = try self.start(f)
        let first = Array(stateBody(serial: 1).prefix(10))
        let rest = Array(stateBody(serial: 1).dropFirst(10))
        let etag1 = try self.part(f).execute(
            uploadID: id, name: name("infra/app"), part: 1, body: first, as: self.alice)
        let etag2 = try self.part(f).execute(uploadID: id, name: name("infra/app"), part: 2, body: rest, as: self.alice)
        let complete = self.complete(f)
        func finish(_ parts: [(number: Int, etag: [UInt8])], as caller: Caller? = nil) throws -> WriteState.Outcome {
            try complete.execute(
                uploadID: id, name: name("infra/app"), parts: parts, precondition: .none, as: caller ?? self.alice
            ).0
        }
        // Every part but the last is at least 5 MiB.
        expectError(.invalidInput) { _ = try finish([(1, etag1), (2, etag2)]) }
        expectError(.invalidInput) { _ = try finish([(2, etag2), (1, etag1)]) }
        expectError(.invalidInput) { _ = try finish([(1, etag2)]) }
        expectError(.invalidInput) { _ = try finish([(3, etag2)]) }
        expectError(.invalidInput) { _ = try finish([]) }
        expectError(.forbidden) { _ = try finish([(2, etag2)], as: self.bob) }
        let whole = try self.part(f).execute(
            uploadID: id, name: name("infra/app"), part: 1, body: stateBody(serial: 1), as: self.alice)
        // Locked by someone else: refused, and the upload stays for a later try.
        _ = try f.lock().execute(name("infra/app"), body: lockBody("L1"), as: self.bob)
        expectLocked(by: try LockInfo(json: lockBody("L1"))) { _ = try finish([(1, whole)]) }
        _ = try f.unlock().execute(name("infra/app"), body: lockBody("L1"), as: self.bob)
        // Part 2 alone is not a state.
        expectError(.invalidInput) { _ = try finish([(2, etag2)]) }
        #expect(try finish([(1, whole)]).isStored)
        #expect(try f.countAllVersions() == 1)
    }

    @Test(arguments: StoreKind.available)
    func aPartReplacedWhileCompletingRefusesTheCompletion(kind: StoreKind) throws {
        let f = try Fixture(kind)
        let id = try self.start(f)
        let etag = try self.part(f).execute(
            uploadID: id, name: name("infra/app"), part: 1, body: stateBody(serial: 1), as: self.alice)
        // Between the join and the write, another request replaces the part.
        let racing = Interleaving(f.store, beforeTransaction: 2) {
            _ = try self.part(f).execute(
                uploadID: id, name: name("infra/app"), part: 1, body: stateBody(serial: 2), as: self.alice)
        }
        expectError(.conflict) {
            let write = WriteState(
                store: racing, clock: f.clock, policy: WritePolicy(allowLineageChange: false), compressionLevel: 1)
            _ = try CompleteUpload(store: racing, clock: f.clock, write: write).execute(
                uploadID: id, name: name("infra/app"), parts: [(1, etag)], precondition: .none, as: self.alice)
        }
        #expect(try f.countAllVersions() == 0)
        #expect(try f.store.read { try $0.uploads.parts(uploadID: id) }.count == 1)
    }
}

/// A store that runs `interloper` once, just before its `number`-th transaction starts.
final class Interleaving: UnitOfWork, @unchecked Sendable {
    private let inner: any UnitOfWork
    private let number: Int
    private let interloper: () throws -> Void
    private var count = 0

    init(_ inner: any UnitOfWork, beforeTransaction number: Int, _ interloper: @escaping () throws -> Void) {
        self.inner = inner
        self.number = number
        self.interloper = interloper
    }

    func transaction<T>(_ work: (any Transaction) throws -> T) throws -> T {
        self.count += 1
        if self.count == self.number { try self.interloper() }
        return try self.inner.transaction(work)
    }

    func ping() throws(StoreError) { try self.inner.ping() }
}
