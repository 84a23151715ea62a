import Testing

@testable import Domain

@Suite struct StateDiffTests {
    func diff(_ old: String, _ new: String) throws -> StateDiff {
        try StateDiff(from: Array(old.utf8), to: Array(new.utf8))
    }

    func string(_ text: String) -> StateDiff.Value { .value(.string(text)) }

    /// A `terraform_data` dynamic value as Terraform stores it.
    func dynamic(_ serial: Int, _ version: String) -> StateDiff.Value {
        .value(
            .object([
                "value": .object(["serial": .number("\(serial)"), "version": .string(version)]),
                "type": .array([
                    .string("object"), .object(["serial": .string("number"), "version": .string("string")]),
                ]),
            ]))
    }

    @Test func comparesTwoVersionsOfAState() throws {
        let diff = try diff(StateFixtures.before, StateFixtures.after)
        #expect(
            diff.addedResources == [
                "module.workers.terraform_data.node[2]", #"module.workers.terraform_data.queue["sms"]"#,
            ])
        #expect(diff.removedResources == ["module.workers.terraform_data.node[1]"])
        #expect(
            diff.changedResources == [
                .init(
                    address: #"module.workers.terraform_data.queue["jobs"]"#,
                    attributes: [
                        .init(
                            path: "triggers_replace", before: .value(.null),
                            after: .value(
                                .object([
                                    "value": .array([.string("rev-2")]),
                                    "type": .array([.string("tuple"), .array([.string("string")])]),
                                ])))
                    ]),
                .init(
                    address: "terraform_data.app",
                    attributes: [
                        .init(path: "input", before: dynamic(7, "v1"), after: dynamic(8, "v2")),
                        .init(path: "output", before: dynamic(7, "v1"), after: dynamic(8, "v2")),
                    ]),
                .init(
                    address: "terraform_data.secret",
                    attributes: [
                        .init(path: "input", before: .sensitive, after: .sensitive),
                        .init(path: "output", before: .sensitive, after: .sensitive),
                    ]),
            ])
        #expect(diff.addedOutputs == ["region"])
        #expect(diff.removedOutputs == ["zones"])
        #expect(
            diff.changedOutputs == [
                .init(name: "db_password", before: .sensitive, after: .sensitive),
                .init(
                    name: "endpoint", before: string("https://app.example.com"),
                    after: string("https://app2.example.com")),
            ])
    }

    @Test func neverRevealsSensitiveValues() throws {
        for (old, new) in [
            (StateFixtures.before, StateFixtures.after), (StateFixtures.after, StateFixtures.before),
        ] {
            let everything = String(describing: try diff(old, new))
            #expect(!everything.contains("s3cr3t"))
            #expect(!everything.contains("hunter2"))
        }
    }

    @Test func identicalStatesHaveNoDifferences() throws {
        let diff = try diff(StateFixtures.before, StateFixtures.before)
        #expect(diff.addedResources.isEmpty && diff.removedResources.isEmpty && diff.changedResources.isEmpty)
        #expect(diff.addedOutputs.isEmpty && diff.removedOutputs.isEmpty && diff.changedOutputs.isEmpty)
    }

    @Test func addedAndRemovedStatesListEverything() throws {
        let empty = #"{"version":4,"serial":0,"lineage":"L"}"#
        let diff = try diff(empty, StateFixtures.before)
        #expect(
            diff.addedResources == [
                "data.terraform_remote_state.network", "module.workers.terraform_data.node[0]",
                "module.workers.terraform_data.node[1]", #"module.workers.terraform_data.queue["jobs"]"#,
                "terraform_data.app", "terraform_data.secret",
            ])
        #expect(diff.addedOutputs == ["db_password", "endpoint", "zones"])
        #expect(try self.diff(StateFixtures.before, empty).removedResources.count == 6)
    }

    @Test func addressesDataSourcesNestedModulesKeysAndDeposedObjects() throws {
        let old = #"{"serial":1,"lineage":"L","resources":[]}"#
        let new = """
            {"serial":2,"lineage":"L","resources":[
              {"module":"module.a[\\"x\\"].module.b[0]","mode":"data","type":"t","name":"n","instances":[
                {"index_key":"k \\"q\\"","attributes":{}},
                {"index_key":"${v} %{w} $x \\u0001\\n","attributes":{}}]},
              {"mode":"managed","type":"t","name":"n","instances":[
                {"attributes":{}},
                {"deposed":"00000001","attributes":{}}]}
            ]}
            """
        #expect(
            try diff(old, new).addedResources == [
                #"module.a["x"].module.b[0].data.t.n["$${v} %%{w} $x \u0001\n"]"#,
                #"module.a["x"].module.b[0].data.t.n["k \"q\""]"#, "t.n", "t.n (deposed 00000001)",
            ])
    }

    @Test func reportsADataSourceChange() throws {
        let new = StateFixtures.after.replacing("vpc-0a1b", with: "vpc-9z")
        let diff = try diff(StateFixtures.after, new)
        #expect(diff.changedResources.map(\.address) == ["data.terraform_remote_state.network"])
        #expect(diff.changedResources.first?.attributes.map(\.path) == ["outputs"])
    }

    @Test func anAttributeMarkedSensitiveOnEitherSideIsRedacted() throws {
        let old = StateFixtures.single(attributes: #"{"id":"1","input":"plain","output":"x"}"#)
        let new = StateFixtures.single(
            attributes: #"{"id":"1","input":"now-secret","output":"y"}"#,
            sensitive: #"[[{"type":"get_attr","value":"input"},{"type":"index","value":{"value":0,"type":"number"}}]]"#)
        let expected: [StateDiff.AttributeChange] = [
            .init(path: "input", before: .sensitive, after: .sensitive),
            .init(path: "output", before: string("x"), after: string("y")),
        ]
        #expect(try StateDiff(from: old, to: new).changedResources.first?.attributes == expected)
        #expect(try StateDiff(from: new, to: old).changedResources.first?.attributes.first?.before == .sensitive)
    }

    @Test func aSensitiveAttributeThatAppearsIsAbsentThenSensitive() throws {
        let old = StateFixtures.single(attributes: #"{"id":"1"}"#)
        let new = StateFixtures.single(
            attributes: #"{"id":"1","password":"pw-123"}"#, sensitive: #"[[{"type":"get_attr","value":"password"}]]"#)
        let diff = try StateDiff(from: old, to: new)
        #expect(
            diff.changedResources.first?.attributes == [.init(path: "password", before: .absent, after: .sensitive)])
        #expect(!String(describing: diff).contains("pw-123"))
    }

    @Test func anUnchangedSensitiveAttributeIsNotReported() throws {
        let sensitive = #"[[{"type":"get_attr","value":"password"}]]"#
        let old = StateFixtures.single(attributes: #"{"id":"1","password":"pw"}"#, sensitive: sensitive)
        let new = StateFixtures.single(attributes: #"{"id":"2","password":"pw"}"#, sensitive: sensitive)
        #expect(
            try StateDiff(from: old, to: new).changedResources.first?.attributes == [
                .init(path: "id", before: string("1"), after: string("2"))
            ])
    }

    @Test(arguments: [
        #"[{"path":[{"type":"get_attr","value":"input"}]}]"#,
        #"{"input":true}"#,
        #""input""#,
        #"[[]]"#,
        #"[[{"type":"index","value":{"value":0,"type":"number"}}]]"#,
        #"[[{"type":"get_attr","value":1}]]"#,
        #"[[{"type":"get_attr","value":"input"}],"input"]"#,
    ])
    func sensitiveAttributesNotUnderstoodHideTheWholeInstance(sensitive: String) throws {
        let old = StateFixtures.single(attributes: #"{"id":"id-1","input":"s-1"}"#)
        let new = StateFixtures.single(attributes: #"{"id":"id-2","input":"s-2"}"#, sensitive: sensitive)
        let diff = try StateDiff(from: old, to: new)
        #expect(
            diff.changedResources.first?.attributes == [
                .init(path: "id", before: .sensitive, after: .sensitive),
                .init(path: "input", before: .sensitive, after: .sensitive),
            ])
        for secret in ["id-1", "id-2", "s-1", "s-2"] { #expect(!String(describing: diff).contains(secret)) }
    }

    @Test func anOutputMarkedSensitiveOnEitherSideIsRedacted() throws {
        let old = #"{"serial":1,"lineage":"L","outputs":{"token":{"value":"tok-1","type":"string"}}}"#
        let new = #"{"serial":2,"lineage":"L","outputs":{"token":{"value":"tok-2","type":"string","sensitive":true}}}"#
        let diff = try diff(old, new)
        #expect(diff.changedOutputs == [.init(name: "token", before: .sensitive, after: .sensitive)])
        #expect(!String(describing: diff).contains("tok-"))
    }

    @Test func encryptedStatesCannotBeCompared() {
        let error = DomainError.encrypted("the state is encrypted by OpenTofu; the server cannot read its content")
        #expect(throws: error) { try diff(StateFixtures.encrypted, StateFixtures.before) }
        #expect(throws: error) { try diff(StateFixtures.before, StateFixtures.encrypted) }
    }

    @Test(arguments: [
        ("not json", "not valid JSON: invalid literal at byte 0"),
        ("<html>", "not valid JSON: expected a JSON value at byte 0"),
        ("[]", "state is not a JSON object"),
        (#"{"serial":1} {}"#, "not valid JSON: unexpected data after the JSON value at byte 13"),
        (#"{"resources":{}}"#, #"state is not a Terraform v4 state: "resources" is malformed"#),
        (
            #"{"resources":[1]}"#,
            #"state is not a Terraform v4 state: a resource without a string "type" and "name" is malformed"#
        ),
        (
            #"{"resources":[{"mode":"ephemeral","type":"t","name":"n"}]}"#,
            #"state is not a Terraform v4 state: the "mode" of resource t.n is malformed"#
        ),
        (
            #"{"resources":[{"mode":"managed","type":"t","name":"n","module":1}]}"#,
            #"state is not a Terraform v4 state: the "module" of resource t.n is malformed"#
        ),
        (
            #"{"resources":[{"mode":"managed","type":"t","name":"n","instances":{}}]}"#,
            #"state is not a Terraform v4 state: the "instances" of t.n is malformed"#
        ),
        (
            #"{"resources":[{"mode":"managed","type":"t","name":"n","instances":[[]]}]}"#,
            #"state is not a Terraform v4 state: an instance of t.n is malformed"#
        ),
        (
            #"{"resources":[{"mode":"managed","type":"t","name":"n","instances":[{"index_key":true}]}]}"#,
            #"state is not a Terraform v4 state: an "index_key" of t.n is malformed"#
        ),
        (
            #"{"resources":[{"mode":"managed","type":"t","name":"n","instances":[{"deposed":1}]}]}"#,
            #"state is not a Terraform v4 state: a "deposed" of t.n is malformed"#
        ),
        (
            #"{"resources":[{"mode":"managed","type":"t","name":"n","instances":[{"index_key":0,"attributes":[]}]}]}"#,
            #"state is not a Terraform v4 state: the "attributes" of t.n[0] is malformed"#
        ),
        (#"{"outputs":[]}"#, #"state is not a Terraform v4 state: "outputs" is malformed"#),
        (#"{"outputs":{"a":"b"}}"#, #"state is not a Terraform v4 state: output "a" is malformed"#),
    ])
    func refusesMalformedStates(body: String, message: String) {
        #expect(throws: DomainError.invalidInput(message)) { try diff(body, StateFixtures.before) }
        #expect(throws: DomainError.invalidInput(message)) { try diff(StateFixtures.before, body) }
    }

    /// A state of `terraform_data.n[i]` instances, each with an `id` and a 100-byte `blob` that
    /// names its revision, and string outputs.
    func numbered(_ revisions: [Int: Int], outputs: [String: String] = [:]) -> [UInt8] {
        let instances = revisions.keys.sorted().map { index in
            let blob = "rev-\(revisions[index]!)-" + String(repeating: "x", count: 100)
            return #"{"index_key":\#(index),"attributes":{"id":"\#(index)","blob":"\#(blob.prefix(100))"}}"#
        }
        let values = outputs.keys.sorted().map { #""\#($0)":{"value":"\#(outputs[$0]!)","type":"string"}"# }
        return Array(
            """
            {"version":4,"serial":1,"lineage":"L","outputs":{\(values.joined(separator: ","))},"resources":[\
            {"mode":"managed","type":"terraform_data","name":"n","instances":[\(instances.joined(separator: ","))]}]}
            """.utf8)
    }

    /// What one changed `numbered` instance counts against the limit: its address, the name
    /// `blob` and the blob's JSON text on both sides.
    let numberedChangeCost = "terraform_data.n[0]".utf8.count + "blob".utf8.count + 2 * 102

    @Test func pastItsLimitADiffListsTheFirstChangesThatFitAndSaysSo() throws {
        let old = self.numbered(Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, 1) }))
        let new = self.numbered(Dictionary(uniqueKeysWithValues: (1..<9).map { ($0, 2) }))
        let full = try StateDiff(from: old, to: new)
        #expect(!full.truncated && full.changedResources.count == 7)
        #expect(full.addedResources == ["terraform_data.n[8]"] && full.removedResources == ["terraform_data.n[0]"])
        for (limit, listed) in [(3 * numberedChangeCost, 3), (3 * numberedChangeCost - 1, 2), (0, 0)] {
            let capped = try StateDiff(from: old, to: new, maxReportedBytes: limit)
            #expect(capped.truncated)
            #expect(capped.changedResources == Array(full.changedResources.prefix(listed)))
            #expect(capped.addedResources == full.addedResources && capped.removedResources == full.removedResources)
        }
        #expect(try StateDiff(from: old, to: new, maxReportedBytes: 7 * numberedChangeCost) == full)
    }

    @Test func changedOutputsComeFirstWithinTheLimit() throws {
        let old = self.numbered([0: 1], outputs: ["a": "1", "b": "2", "gone": "x"])
        let new = self.numbered([0: 2], outputs: ["a": "one", "b": "2", "new": "y"])
        let outputCost = "a".utf8.count + #""1""#.utf8.count + #""one""#.utf8.count
        let capped = try StateDiff(from: old, to: new, maxReportedBytes: outputCost + numberedChangeCost - 1)
        #expect(capped.truncated && capped.changedResources.isEmpty)
        #expect(capped.changedOutputs == [.init(name: "a", before: string("1"), after: string("one"))])
        #expect(capped.addedOutputs == ["new"] && capped.removedOutputs == ["gone"])
        let full = try StateDiff(from: old, to: new, maxReportedBytes: outputCost + numberedChangeCost)
        #expect(!full.truncated && full.changedResources.map(\.address) == ["terraform_data.n[0]"])
    }

    @Test func aRedactedValueCountsOnlyItsName() throws {
        let sensitive = #"[[{"type":"get_attr","value":"password"}]]"#
        let secret = String(repeating: "s", count: 10_000)
        let old = StateFixtures.single(attributes: #"{"password":"\#(secret)1"}"#, sensitive: sensitive)
        let new = StateFixtures.single(attributes: #"{"password":"\#(secret)2"}"#, sensitive: sensitive)
        let cost = "terraform_data.x".utf8.count + "password".utf8.count
        let diff = try StateDiff(from: old, to: new, maxReportedBytes: cost)
        #expect(!diff.truncated)
        #expect(
            diff.changedResources.first?.attributes == [.init(path: "password", before: .sensitive, after: .sensitive)])
        #expect(try StateDiff(from: old, to: new, maxReportedBytes: cost - 1).truncated)
    }

    @Test func onlyAttributesWhoseBytesDifferAreDecoded() throws {
        // Arrays nested deeper than JSONValue.maxDepth are valid JSON that the scanner passes and no
        // JSONValue decodes: wherever they sit unread, the diff never decoded them.
        let odd =
            String(repeating: "[", count: JSONValue.maxDepth + 10)
            + String(repeating: "]", count: JSONValue.maxDepth + 10)
        let old = StateFixtures.single(attributes: #"{"id":"1","odd":\#(odd)}"#)
        #expect(try StateDiff(from: old, to: old).changedResources.isEmpty)
        let changedBeside = StateFixtures.single(attributes: #"{"id":"2","odd":\#(odd)}"#)
        #expect(
            try StateDiff(from: old, to: changedBeside).changedResources.first?.attributes == [
                .init(path: "id", before: string("1"), after: string("2"))
            ])
        let changedItself = StateFixtures.single(attributes: #"{"id":"1","odd":[\#(odd)]}"#)
        #expect(throws: DomainError.self) { try StateDiff(from: old, to: changedItself) }
    }

    @Test func attributesWrittenDifferentlyWithTheSameValuesAreNotChanges() throws {
        let old = StateFixtures.single(attributes: #"{"id":"1","tags":{"a":"1","b":[1,2]},"n":null}"#)
        let new = StateFixtures.single(attributes: #"{ "n": null, "tags": { "b": [1, 2], "a": "\u0031" }, "id": "1" }"#)
        #expect(try StateDiff(from: old, to: new).changedResources.isEmpty)
        let nullAttributes = StateFixtures.single(attributes: "null")
        #expect(
            try StateDiff(from: nullAttributes, to: StateFixtures.single(attributes: "{}")).changedResources.isEmpty)
    }
}
