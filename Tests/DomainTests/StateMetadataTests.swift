import Domain
import Testing

@Suite struct StateMetadataTests {
    @Test func readsTheDescriptiveFieldsOfATerraformState() throws {
        let header = try StateHeader(parsing: Array(StateFixtures.before.utf8))
        #expect(
            header
                == StateHeader(
                    serial: 41, lineage: "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a", terraformVersion: "1.14.0",
                    resourceCount: 5, outputNames: ["endpoint", "db_password", "zones"], encrypted: false))
    }

    @Test func anEncryptedEnvelopeHasOnlySerialAndLineage() throws {
        let envelope =
            #"{"serial":7,"lineage":"L","terraform_version":"1.9.0","outputs":{"a":{}},"resources":[],"encrypted_data":"AAAA"}"#
        #expect(
            try StateHeader(parsing: Array(envelope.utf8)) == StateHeader(serial: 7, lineage: "L", encrypted: true))
    }

    @Test(arguments: [
        (#"{"serial":1,"lineage":"L"}"#, StateHeader(serial: 1, lineage: "L")),
        (
            #"{"serial":1,"lineage":"L","terraform_version":4,"resources":{},"outputs":[]}"#,
            StateHeader(serial: 1, lineage: "L")
        ),
        (
            #"{"serial":1,"lineage":"L","resources":[],"outputs":{}}"#,
            StateHeader(serial: 1, lineage: "L", resourceCount: 0)
        ),
        (
            #"{"serial":1,"lineage":"L","outputs":{"b":{},"a":{},"b":{}},"resources":[{},[],1]}"#,
            StateHeader(serial: 1, lineage: "L", resourceCount: 3, outputNames: ["b", "a"])
        ),
    ])
    func missingOrOddDescriptiveFieldsAreEmpty(body: String, expected: StateHeader) throws {
        #expect(try StateHeader(parsing: Array(body.utf8)) == expected)
    }

    @Test func replacingTheSerialChangesOnlyItsDigits() throws {
        let body = Array(StateFixtures.before.utf8)
        let result = try StateHeader.replacingSerial(in: body, with: 1000)
        let old = Array(#""serial": 41,"#.utf8)
        let new = Array(#""serial": 1000,"#.utf8)
        let at = try #require(body.firstRange(of: old)).lowerBound
        #expect(result.count == body.count + 2)
        #expect(result[..<at] == body[..<at])
        #expect(Array(result[at..<at + new.count]) == new)
        #expect(result[(at + new.count)...] == body[(at + old.count)...])
        let header = try StateHeader(parsing: result)
        #expect(header.serial == 1000)
        #expect(header.lineage == "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a")
        #expect(header.outputNames == ["endpoint", "db_password", "zones"])
    }

    @Test func onlyTheTopLevelSerialIsReplaced() throws {
        let body = Array(
            #"{"resources":[{"attributes":{"serial":5}}],"outputs":{"serial":{"value":5}},"serial" :  5 ,"lineage":"L"}"#
                .utf8)
        let result = try StateHeader.replacingSerial(in: body, with: 12)
        #expect(
            String(decoding: result, as: UTF8.self)
                == #"{"resources":[{"attributes":{"serial":5}}],"outputs":{"serial":{"value":5}},"serial" :  12 ,"lineage":"L"}"#
        )
    }

    @Test func theFixtureKeepsItsNestedSerials() throws {
        let result = try StateHeader.replacingSerial(in: Array(StateFixtures.before.utf8), with: 43)
        let text = String(decoding: result, as: UTF8.self)
        #expect(text.contains(#""serial": 43,"#))
        #expect(text.contains(#"{"value": {"serial": 7, "version": "v1"}"#))
        #expect(try StateHeader(parsing: result).serial == 43)
    }

    @Test func aRepeatedSerialKeyIsNeverReplaced() {
        // Which one counts is ambiguous (Go reads the last); such a body is refused, never rewritten.
        #expect(
            throws: DomainError.invalidInput(
                #"state has "serial" twice (again at byte 26) and Terraform and OpenTofu would read the last one; "#
                    + "send it once")
        ) {
            try StateHeader.replacingSerial(in: Array(#"{"serial":1,"lineage":"L","serial":2}"#.utf8), with: 3)
        }
    }

    @Test func encryptedStatesKeepTheirSerial() {
        #expect(
            throws: DomainError.encrypted("the state is encrypted by OpenTofu; the server cannot change its serial")
        ) {
            try StateHeader.replacingSerial(in: Array(StateFixtures.encrypted.utf8), with: 8)
        }
    }

    @Test(arguments: [#"{"serial":1}"#, #"{"lineage":"L"}"#, "not json", #"{"serial":1,"lineage":"L"} x"#])
    func refusesToReplaceTheSerialOfAnInvalidState(body: String) {
        #expect(throws: DomainError.self) { try StateHeader.replacingSerial(in: Array(body.utf8), with: 2) }
    }

    @Test func refusesANegativeSerial() {
        #expect(
            throws: DomainError.invalidInput("state \"serial\" must be a whole number from 0 to 9223372036854775807")
        ) {
            try StateHeader.replacingSerial(in: Array(#"{"serial":1,"lineage":"L"}"#.utf8), with: -1)
        }
    }
}
