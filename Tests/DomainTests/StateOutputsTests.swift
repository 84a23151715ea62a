import Testing

@testable import Domain

@Suite struct StateOutputsTests {
    /// A state with `outputs` as given (JSON text).
    func outputs(_ outputs: String, maxValueBytes: Int = StateOutputs.defaultMaxValueBytes) throws(DomainError)
        -> StateOutputs
    {
        try StateOutputs(
            state: Array(#"{"version":4,"serial":1,"lineage":"L","outputs":\#(outputs),"resources":[]}"#.utf8),
            maxValueBytes: maxValueBytes)
    }

    /// The type description of one output of type `type` (JSON text).
    func type(_ type: String) throws -> String {
        try #require(try self.outputs(#"{"o":{"value":null,"type":\#(type)}}"#).outputs.first).type
    }

    @Test func readsNamesTypesAndValuesAndNeverASensitiveValue() throws {
        let outputs = try StateOutputs(state: Array(StateFixtures.before.utf8))
        #expect(!outputs.encrypted)
        #expect(
            outputs.outputs == [
                .init(name: "db_password", type: "string", sensitive: true, value: nil, truncated: false),
                .init(
                    name: "endpoint", type: "string", sensitive: false, value: #""https://app.example.com""#,
                    truncated: false),
                .init(name: "zones", type: "list(string)", sensitive: false, value: #"["a","b"]"#, truncated: false),
            ])
        #expect(!"\(outputs)".contains("hunter2"), "the sensitive value is in no field")
    }

    @Test func rendersTypesInTerraformsSyntax() throws {
        #expect(try self.type(#""number""#) == "number")
        #expect(try self.type(#""bool""#) == "bool")
        #expect(try self.type(#""dynamic""#) == "any")
        #expect(try self.type(#"["map","number"]"#) == "map(number)")
        #expect(try self.type(#"["set",["list","bool"]]"#) == "set(list(bool))")
        #expect(try self.type(#"["object",{"b":"number","a":"string"}]"#) == "object({a=string,b=number})")
        #expect(try self.type(#"["object",{"a b":"string"}]"#) == #"object({"a b"=string})"#)
        #expect(
            try self.type(#"["object",{"a":"string","b":"number"},["b"]]"#) == "object({a=string,b=optional(number)})")
        #expect(try self.type(#"["tuple",["string",["map","bool"]]]"#) == "tuple([string,map(bool)])")
        #expect(try self.type(#"["tuple",[]]"#) == "tuple([])")
    }

    @Test func shortensLongTypesOnACharacterBoundary() throws {
        let names = (0..<40).map { #""attribute_\#($0)":"string""# }.joined(separator: ",")
        let long = try self.type(#"["object",{\#(names)}]"#)
        #expect(long.utf8.count <= StateOutputs.maxTypeBytes)
        #expect(long.hasPrefix("object({attribute_0=string,attribute_1=string,") && long.hasSuffix("…"))
        let wide = try self.type(#"["object",{"\#(String(repeating: "é", count: 50))":"string"}]"#)
        #expect(wide.utf8.count <= StateOutputs.maxTypeBytes && wide.hasSuffix("é…"))
    }

    @Test func compactsValuesAndCutsThemAtTheBound() throws {
        let spaced = try self.outputs(
            """
            {"m": {"value": { "a" : [1, 2],\n  "s": "x  y\\" z" }, "type": ["object", {"a": ["list", "number"], "s": "string"}]}}
            """)
        #expect(spaced.outputs.first?.value == #"{"a":[1,2],"s":"x  y\" z"}"#)
        #expect(spaced.outputs.first?.truncated == false)

        let exact = try self.outputs(#"{"s":{"value":"abcdef","type":"string"}}"#, maxValueBytes: 8)
        #expect(exact.outputs.first?.value == #""abcdef""# && exact.outputs.first?.truncated == false)
        let cut = try self.outputs(#"{"s":{"value":"abcdefg","type":"string"}}"#, maxValueBytes: 8)
        #expect(cut.outputs.first?.value == #""abcdefg"# && cut.outputs.first?.truncated == true)
        // "ab" then a two-byte é cut after its first byte: the é is dropped whole.
        let accent = try self.outputs(#"{"s":{"value":"abé","type":"string"}}"#, maxValueBytes: 4)
        #expect(accent.outputs.first?.value == #""ab"# && accent.outputs.first?.truncated == true)

        let big = try self.outputs(#"{"s":{"value":"\#(String(repeating: "x", count: 5000))","type":"string"}}"#)
        #expect(big.outputs.first?.value?.utf8.count == StateOutputs.defaultMaxValueBytes)
        #expect(big.outputs.first?.truncated == true)
    }

    @Test func aSensitiveValueIsNeverCopiedHoweverLarge() throws {
        let secret = try self.outputs(
            #"{"k":{"value":{"token":"s3cr3t"},"type":["object",{"token":"string"}],"sensitive":true}}"#)
        #expect(
            secret.outputs == [
                .init(name: "k", type: "object({token=string})", sensitive: true, value: nil, truncated: false)
            ])
    }

    @Test func anEncryptedStateHasNoReadableOutputs() throws {
        let outputs = try StateOutputs(state: Array(StateFixtures.encrypted.utf8))
        #expect(outputs == .encryptedState)
        #expect(outputs.encrypted && outputs.outputs.isEmpty)
    }

    @Test func aStateWithoutOutputsHasNone() throws {
        #expect(try self.outputs("{}").outputs.isEmpty)
        #expect(try self.outputs("null").outputs.isEmpty)
        let bare = try StateOutputs(state: Array(#"{"version":4,"serial":1,"lineage":"L"}"#.utf8))
        #expect(bare.outputs.isEmpty && !bare.encrypted)
    }

    @Test func malformedOutputsAreRefusedSayingWhat() throws {
        func refusal(_ outputs: String) -> String? {
            do {
                _ = try self.outputs(outputs)
                return nil
            } catch {
                return error.description
            }
        }
        let prefix = "state is not a Terraform v4 state: "
        #expect(refusal("[]") == prefix + #""outputs" is malformed"#)
        #expect(refusal(#"{"a":1}"#) == prefix + #"output "a" is malformed"#)
        #expect(refusal(#"{"a":{"value":1}}"#) == prefix + #"the "type" of output "a" is malformed"#)
        #expect(refusal(#"{"a":{"value":1,"type":"integer"}}"#) == prefix + #"the "type" of output "a" is malformed"#)
        #expect(
            refusal(#"{"a":{"value":1,"type":["list","string","x"]}}"#) == prefix
                + #"the "type" of output "a" is malformed"#)
        #expect(refusal(#"{"a":{"type":"string"}}"#) == prefix + #"the "value" of output "a" is malformed"#)
        #expect(
            refusal(#"{"a":{"value":"x","type":"string","sensitive":"yes"}}"#)
                == prefix + #"the "sensitive" of output "a" is malformed"#)
        #expect(throws: DomainError.invalidInput("state is not a JSON object")) {
            try StateOutputs(state: Array("[1]".utf8))
        }
        #expect(throws: DomainError.self) { try StateOutputs(state: Array(#"{"outputs":"#.utf8)) }
    }
}
