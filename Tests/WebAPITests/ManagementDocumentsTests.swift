import APITypes
import HTTPServer
import Testing

@testable import WebAPI

/// The management API's answers decode into the shared `APITypes`, and its request bodies are read
/// through them with clear refusals.
@Suite struct ManagementDocumentsTests {
    private func state(serial: Int, resources: String, outputs: String) -> String {
        #"{"version":4,"serial":\#(serial),"lineage":"L","terraform_version":"1.15.5","outputs":\#(outputs),"#
            + #""resources":\#(resources)}"#
    }

    private func resource(_ name: String, _ attributes: String, sensitive: String = "[]") -> String {
        #"{"mode":"managed","type":"terraform_data","name":"\#(name)","provider":"p","instances":[{"#
            + #""schema_version":0,"attributes":\#(attributes),"sensitive_attributes":\#(sensitive)}]}"#
    }

    @Test func aDiffDecodesIntoTheSharedTypeWithSensitiveValuesRedacted() throws {
        let f = APIFixture()
        let old = self.state(
            serial: 1,
            resources: "[" + self.resource("a", #"{"id":"1","n":1.5,"big":12345678901234567890}"#) + ","
                + self.resource("gone", #"{"id":"g"}"#) + "]",
            outputs:
                #"{"url":{"value":"http://a","type":"string"},"pw":{"value":"s1","type":"string","sensitive":true}}"#)
        let new = self.state(
            serial: 2,
            resources: "[" + self.resource("a", #"{"id":"1","n":2,"big":1e400,"tags":{"k":[true,null]}}"#) + ","
                + self.resource("b", #"{"secret":"x"}"#, sensitive: #"[[{"type":"get_attr","value":"secret"}]]"#) + "]",
            outputs:
                #"{"url":{"value":"http://b","type":"string"},"pw":{"value":"s2","type":"string","sensitive":true}}"#)
        #expect(f.send("POST", "/state/team/app", body: old).status == .ok)
        #expect(f.send("POST", "/state/team/app", body: new).status == .ok)
        let answer = f.send("GET", "/api/v1/states/team/app/diff")
        #expect(answer.status == .ok)
        #expect(!answer.text.contains("s1") && !answer.text.contains("s2"))
        let diff = try APIJSON.decode(Diff.self, from: answer.body)
        #expect(
            diff
                == Diff(
                    from: 1, to: 2,
                    resources: .init(
                        added: ["terraform_data.b"], removed: ["terraform_data.gone"],
                        changed: [
                            .init(
                                address: "terraform_data.a",
                                attributes: [
                                    .init(
                                        path: "big", before: .number(12_345_678_901_234_567_168),
                                        after: .string("1e400")),
                                    .init(path: "n", before: .number(1.5), after: .integer(2)),
                                    .init(
                                        path: "tags", before: .null,
                                        after: .object(["k": .array([.bool(true), .null])])),
                                ])
                        ]),
                    outputs: .init(
                        added: [], removed: [],
                        changed: [
                            .init(name: "pw", before: .string("(sensitive)"), after: .string("(sensitive)")),
                            .init(name: "url", before: .string("http://a"), after: .string("http://b")),
                        ])))
    }

    @Test(arguments: [
        (#"{"version":1,"extra":true}"#, #"unknown field "extra"; allowed: reason, version"#),
        (#"{"reason":"r"}"#, #"the body needs "version""#),
        (#"{"version":null}"#, #"the body needs "version""#),
        (#"{"version":"1"}"#, #""version" must be a whole number"#),
        (#"{"version":-1}"#, #""version" must be a whole number"#),
        (#"{"version":1.5}"#, #""version" must be a whole number"#),
        (#"{"version":1,"reason":7}"#, #""reason" must be a string"#),
        (#"{"version":1,"reason":"\u0000"}"#, #""reason" must be at most 1000 bytes without NUL"#),
        (#"[1]"#, "the body must be a JSON object"),
        (#"{"version":"#, "the body is not JSON"),
    ])
    func aRollbackBodyIsRefusedSayingWhy(body: String, reason: String) throws {
        let f = APIFixture()
        f.send("POST", "/state/team/app", body: stateJSON(1))
        let answer = f.send(
            "POST", "/api/v1/states/team/app/rollback", body: body, headers: [("Content-Type", "application/json")])
        #expect(answer.status == .badRequest)
        #expect(try APIJSON.decode(ErrorBody.self, from: answer.body).error.contains(reason), "\(answer.text)")
    }

    @Test func aLockConflictCarriesTheLockOnce() throws {
        let f = APIFixture()
        f.send("POST", "/state/team/app", body: stateJSON(1))
        f.send("LOCK", "/state/team/app", body: lockJSON("held"))
        let answer = f.send(
            "POST", "/api/v1/states/team/app/rollback", body: #"{"version":1}"#,
            headers: [("Content-Type", "application/json")])
        #expect(answer.status == .conflict)
        let body = try APIJSON.decode(ErrorBody.self, from: answer.body)
        #expect(body.lock?.id == "held" && body.lock?.acquiredBy == "root" && body.lock?.who == "me@host")
        // The protocol's own 409 is the holder's LockInfo exactly as it was sent.
        #expect(f.send("LOCK", "/state/team/app", body: lockJSON("other")).text == lockJSON("held"))
    }
}
