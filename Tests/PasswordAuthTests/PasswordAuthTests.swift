import Domain
import Testing

@testable import PasswordAuth

@Suite struct PasswordHashTests {
    @Test func hashesVerifyOnlyTheirPassword() throws {
        let encoded = PasswordHash.make(password: "correct horse", iterations: 1000)
        #expect(encoded.hasPrefix("$pbkdf2-sha256$i=1000$"))
        let parsed = try PasswordHash.parse(encoded)
        #expect(PasswordHash.verify(password: "correct horse", against: parsed))
        #expect(!PasswordHash.verify(password: "correct horsE", against: parsed))
        #expect(!PasswordHash.verify(password: "", against: parsed))
        #expect(
            PasswordHash.make(password: "same", iterations: 1000)
                != PasswordHash.make(password: "same", iterations: 1000))
    }

    @Test func matchesAKnownPBKDF2Vector() {
        // RFC 7914 §11, PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64): first 16 bytes.
        let derived = PasswordHash.derive(password: "passwd", salt: Array("salt".utf8), iterations: 1, length: 16)
        #expect(
            derived == [0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05])
    }

    @Test(arguments: [
        "plain", "$2b$10$bcrypt", "$pbkdf2-sha256$i=10$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$pbkdf2-sha256$i=1000$!!$aGFzaGhhc2hoYXNoaGFzaA", "$pbkdf2-sha256$i=1000$c2FsdHNhbHQ",
    ])
    func rejectsUnusableHashes(encoded: String) {
        #expect(throws: PasswordHash.FormatError.self) { try PasswordHash.parse(encoded) }
    }

    @Test func comparesInConstantTimeShape() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2], [1, 2, 3]))
    }
}

@Suite struct UserDirectoryTests {
    let directory = try! UserDirectory(users: [
        .init(
            name: "alice", passwordHash: PasswordHash.make(password: "wonderland", iterations: 1000),
            grants: [Grant(prefix: "team", access: .write)])
    ])

    @Test func verifiesUsersAndReturnsTheirGrants() {
        guard case .accepted(let principal) = self.directory.verify(username: "alice", password: "wonderland") else {
            Issue.record("alice was not accepted")
            return
        }
        #expect(principal.name == "alice")
        #expect(principal.grants == [Grant(prefix: "team", access: .write)])
        #expect(self.directory.verify(username: "alice", password: "wrong") == .rejected)
        #expect(self.directory.verify(username: "mallory", password: "wonderland") == .rejected)
    }

    @Test func aRememberedPasswordSkipsPBKDF2AndStillRejectsAnyOther() {
        #expect(self.directory.verify(username: "alice", password: "wonderland") != .rejected)
        #expect(self.directory.fullVerificationCount == 1)
        for _ in 0..<5 { #expect(self.directory.verify(username: "alice", password: "wonderland") != .rejected) }
        #expect(self.directory.fullVerificationCount == 1, "remembered: no PBKDF2 again")
        #expect(self.directory.verify(username: "alice", password: "wonderlanD") == .rejected)
        #expect(self.directory.fullVerificationCount == 2, "a wrong password always pays PBKDF2")
        #expect(self.directory.verify(username: "nobody", password: "x") == .rejected)
        #expect(self.directory.fullVerificationCount == 3, "so does an unknown user")
    }

    @Test func aLoginThatGetsNoVerificationSlotInTimeIsBusyNotRejected() throws {
        let full = try UserDirectory(
            users: [.init(name: "alice", passwordHash: PasswordHash.make(password: "w", iterations: 1000), grants: [])],
            verificationSlots: 0, slotWait: .milliseconds(10))
        #expect(full.verify(username: "alice", password: "w") == .busy)
        #expect(full.verify(username: "nobody", password: "w") == .busy)
    }

    @Test func certificateUsersHaveNoPassword() throws {
        let directory = try UserDirectory(users: [
            .init(name: "runner", passwordHash: nil, certificateCommonName: "ci", grants: [])
        ])
        #expect(directory.verify(certificateCommonName: "ci")?.name == "runner")
        #expect(directory.verify(certificateCommonName: "other") == nil)
        #expect(directory.verify(username: "runner", password: "") == .rejected)
    }

    @Test func anUnusableHashNamesTheUser() {
        #expect(throws: UserDirectoryError.self) {
            try UserDirectory(users: [.init(name: "bob", passwordHash: "secret", grants: [])])
        }
    }
}
