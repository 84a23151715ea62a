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

    @Test func terraformAndOpenTofuBodiesFitTheLimitsTwiceOver() throws {
        #expect(self.terraform.utf8.count * 30 < LockInfo.maxBodyBytes)
        guard case .object(let fields) = try JSONValue(parsing: Array(self.terraform.utf8)) else {
            Issue.record("not an object")
            return
        }
        for (key, value) in fields {
            let limit = try #require(LockInfo.fieldLimits[key])
            #expect(try #require(value.stringValue).utf8.count * 2 < limit, "\(key)")
        }
        #expect(LockInfo.fieldLimits.values.reduce(0, +) + 200 < LockInfo.maxBodyBytes, "a body at every limit fits")
    }

    @Test(arguments: ["ID", "Operation", "Info", "Who", "Version", "Created", "Path"])
    func eachFieldIsAcceptedUpToItsLimitAndRefusedPastIt(field: String) throws {
        let limit = try #require(LockInfo.fieldLimits[field])
        func body(_ length: Int) -> [UInt8] {
            let id = field == "ID" ? "" : #""ID":"x","#
            return Array(#"{\#(id)"\#(field)":"\#(String(repeating: "é", count: length / 2))"}"#.utf8)
        }
        #expect(throws: Never.self) { try LockInfo(json: body(limit)) }
        let message =
            field == "ID"
            ? "lock info \"ID\" must be 1 to \(limit) bytes"
            : "lock info \"\(field)\" is \(limit + 2) bytes; at most \(limit) are accepted"
        #expect(throws: DomainError.invalidInput(message)) { try LockInfo(json: body(limit + 2)) }
    }

    @Test(arguments: [
        (#"{"ID":"a","id":"b"}"#, #"lock info key "id" at byte 10"#),
        (#"{"Id":"b","ID":"a"}"#, #"lock info key "Id" at byte 1"#),
        (#"{"ID":"a","Who":"me","WHO":"you"}"#, #"lock info key "WHO" at byte 21"#),
        (#"{"ID":"a","Ver\u017fion":"1"}"#, #"lock info key "Verſion" at byte 10"#),
        (#"{"ID":"a","ID":"b"}"#, #"lock info has "ID" twice (again at byte 10)"#),
        (#"{"ID":"a","\u0049D":"b"}"#, #"lock info has "ID" twice (again at byte 10)"#),
    ])
    func refusesKeysGoWouldReadAsAnotherField(body: String, start: String) {
        #expect {
            try LockInfo(json: Array(body.utf8))
        } throws: { error in
            guard case .invalidInput(let message) = error as? DomainError else { return false }
            return message.hasPrefix(start)
        }
    }

    @Test func aStoredLockIsReadWithoutTheLimits() throws {
        // Taken before the limits existed: it must stay readable, or it could never be released.
        let info = String(repeating: "i", count: 60_000)
        let old = Array(#"{"ID":"a","Info":"\#(info)","id":"b","Who":"x","Who":"me"}"#.utf8)
        #expect(throws: DomainError.self) { try LockInfo(json: old) }
        let stored = try LockInfo(stored: old)
        #expect(stored.id == "a")
        #expect(stored.who == "me")
        #expect(stored.info == info)
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
