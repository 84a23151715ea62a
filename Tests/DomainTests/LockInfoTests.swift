import Domain
import Testing

@Suite struct LockInfoTests {
    let terraform =
        #"{"ID":"9d1c2b7e-0f4a-3e57-8c31-5b2a0e6f9d44","Operation":"OperationTypeApply","Info":"","Who":"alice@build-07","Version":"1.9.5","Created":"2026-08-01T10:11:12.123456789Z","Path":""}"#

    @Test func keepsTheBodyVerbatimAndReadsItsFields() throws {
        let bytes = Array(self.terraform.utf8)
        let info = try LockInfo(json: bytes)
        #expect(info.id == "9d1c2b7e-0f4a-3e57-8c31-5b2a0e6f9d44")
        #expect(info.operation == "OperationTypeApply")
        #expect(info.who == "alice@build-07")
        #expect(info.created == "2026-08-01T10:11:12.123456789Z")
        #expect(info.json == bytes)
    }

    @Test func onlyTheIDIsRequired() throws {
        #expect(try LockInfo(json: Array(#"{"ID":"x"}"#.utf8)).id == "x")
    }

    @Test(arguments: [
        (#"{}"#, "lock info needs a string \"ID\""),
        (#"{"ID":7}"#, "lock info needs a string \"ID\""),
        (#"{"ID":""}"#, "lock info \"ID\" must be 1 to 256 bytes"),
        (#"{"ID":"x","Who":5}"#, "lock info \"Who\" must be a string"),
        (#"{"ID":"x\u0000y"}"#, "lock info \"ID\" contains a NUL character"),
    ])
    func rejectsBadLockInfoSayingWhy(body: String, message: String) {
        #expect(throws: DomainError.invalidInput(message)) { try LockInfo(json: Array(body.utf8)) }
    }

    @Test func rejectsNonJSON() {
        #expect(throws: DomainError.self) { try LockInfo(json: Array("not json".utf8)) }
        #expect(throws: DomainError.self) {
            try LockInfo(json: Array(#"{"ID":"\#(String(repeating: "x", count: 257))"}"#.utf8))
        }
    }

    @Test func onlyAnEmptyUnlockBodyIsAForceUnlock() throws {
        #expect(try UnlockRequest(body: []) == .force)
        #expect(throws: DomainError.self) { try UnlockRequest(body: Array(" \r\n".utf8)) }
    }

    @Test func openTofuForceUnlockIsMatchedOnItsIDOnly() throws {
        let body =
            #"{"ID":"abc","Operation":"","Info":"","Who":"","Version":"","Created":"0001-01-01T00:00:00Z","Path":""}"#
        #expect(try UnlockRequest(body: Array(body.utf8)) == .id("abc"))
    }
}
