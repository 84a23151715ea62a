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

    @Test func refusesNonObjects() {
        #expect(throws: DomainError.self) { try StateHeader(parsing: Array("{}x".utf8)) }
        #expect(throws: DomainError.self) { try StateHeader(parsing: []) }
    }
}
