import Domain
import Testing

@Suite struct StateHeaderTests {
    @Test func readsSerialAndLineageFromATerraformState() throws {
        let state = """
            {
              "version": 4,
              "terraform_version": "1.15.5",
              "serial": 42,
              "lineage": "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a",
              "outputs": {"serial": {"value": 1, "type": "number"}},
              "resources": [{"lineage": "decoy"}],
              "check_results": null
            }

            """
        #expect(
            try StateHeader(parsing: Array(state.utf8))
                == StateHeader(
                    serial: 42, lineage: "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a", terraformVersion: "1.15.5",
                    resourceCount: 1, outputNames: ["serial"]))
    }

    @Test func acceptsAnOpenTofuEncryptedEnvelope() throws {
        let envelope =
            #"{"serial":7,"lineage":"L","meta":{"key_provider.pbkdf2.k":"e30="},"encrypted_data":"AAAA","encryption_version":"v0"}"#
        #expect(try StateHeader(parsing: Array(envelope.utf8)) == StateHeader(serial: 7, lineage: "L", encrypted: true))
    }

    @Test(arguments: [
        (#"{"lineage":"L"}"#, "state has no numeric top-level \"serial\""),
        (#"{"serial":"1","lineage":"L"}"#, "state has no numeric top-level \"serial\""),
        (#"{"serial":1.5,"lineage":"L"}"#, "state \"serial\" must be a whole number from 0 to 9223372036854775807"),
        (#"{"serial":-1,"lineage":"L"}"#, "state \"serial\" must be a whole number from 0 to 9223372036854775807"),
        (
            #"{"serial":99999999999999999999,"lineage":"L"}"#,
            "state \"serial\" must be a whole number from 0 to 9223372036854775807"
        ),
        (#"{"serial":1}"#, "state has no top-level string \"lineage\""),
        (#"{"serial":1,"lineage":""}"#, "state has no top-level string \"lineage\""),
        (#"{"serial":1,"lineage":"a\u0000b"}"#, "state \"lineage\" contains a NUL character"),
    ])
    func refusesStatesWithoutSerialAndLineage(body: String, message: String) {
        #expect(throws: DomainError.invalidInput(message)) { try StateHeader(parsing: Array(body.utf8)) }
    }

    @Test(arguments: [
        // Go's decoder matches keys case-insensitively and keeps the last: Terraform would read 1.
        (#"{"version":4,"serial":5,"lineage":"L","SERIAL":1}"#, "SERIAL", 38),
        (#"{"Serial":1,"version":4,"serial":5,"lineage":"L"}"#, "Serial", 1),
        (#"{"version":4,"serial":5,"lineage":"L","\u017Ferial":1}"#, "ſerial", 38),
        (#"{"version":4,"serial":5,"lineage":"L","ſerial":1}"#, "ſerial", 38),
        (#"{"version":4,"serial":5,"lineage":"L","LINEAGE":"M"}"#, "LINEAGE", 38),
        (#"{"version":4,"serial":5,"lineage":"L","Version":3}"#, "Version", 38),
        (#"{"version":4,"serial":5,"lineage":"L","Terraform_Version":"0.1"}"#, "Terraform_Version", 38),
        (#"{"version":4,"serial":5,"lineage":"L","outputs":{},"OUTPUTS":{"x":{}}}"#, "OUTPUTS", 51),
        (#"{"serial":5,"lineage":"L","Encrypted_Data":"AAAA"}"#, "Encrypted_Data", 26),
    ])
    func refusesAKeyGoWouldReadAsAFieldTheServerReads(body: String, key: String, offset: Int) {
        let field = String(key.lowercased().map { $0 == "ſ" ? "s" : $0 })
        #expect(
            throws: DomainError.invalidInput(
                "state key \"\(key)\" at byte \(offset) would be read as \"\(field)\" by Terraform and OpenTofu "
                    + "(Go matches JSON keys case-insensitively); send \"\(field)\" once, spelt exactly so")
        ) { try StateHeader(parsing: Array(body.utf8)) }
    }

    @Test(arguments: [
        #"{"version":4,"serial":5,"lineage":"L","serial":1}"#,
        #"{"version":4,"serial":5,"lineage":"L","\u0073erial":1}"#,
    ])
    func refusesARepeatedKey(body: String) {
        #expect(
            throws: DomainError.invalidInput(
                #"state has "serial" twice (again at byte 38) and Terraform and OpenTofu would read the last one; "#
                    + "send it once")
        ) { try StateHeader(parsing: Array(body.utf8)) }
    }

    @Test func otherKeysMayRepeatOrLookAlike() throws {
        // Keys the server does not read, nested keys and near misses stay the client's business.
        let body =
            #"{"serial":5,"lineage":"L","serials":1,"serial_":2,"check_results":1,"check_results":2,"#
            + #""outputs":{"SERIAL":{"value":1},"serial":{"value":2}},"seríal":3,"İd":4}"#
        #expect(try StateHeader(parsing: Array(body.utf8)).serial == 5)
    }

    @Test func refusesNonObjects() {
        #expect(throws: DomainError.self) { try StateHeader(parsing: Array("{}x".utf8)) }
        #expect(throws: DomainError.self) { try StateHeader(parsing: []) }
    }
}
