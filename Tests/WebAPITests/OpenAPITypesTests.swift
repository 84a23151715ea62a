import APITypes
import Foundation
import HTTPTestSupport
import Testing

@testable import WebAPI

/// The OpenAPI document and the shared `APITypes` say the same thing: every schema of the document
/// has a type, and each type, encoded with every field set, has exactly the schema's properties,
/// all its required ones, and the same again for every nested object.
@Suite struct OpenAPITypesTests {
    private static let lock = APITypes.Lock(
        id: "L1", operation: "OperationTypeApply", who: "me@host", info: "i", version: "1.15.5",
        created: "2026-11-22T00:00:00Z", path: "p", acquiredAt: "2026-11-22T10:11:12.123456Z", acquiredBy: "ci",
        ageSeconds: 3)
    private static let summary = StateSummary(
        name: "team/app", id: 1, createdAt: "2026-11-22T10:11:12.123456Z", version: 2, serial: 3, lineage: "L",
        size: 10, terraformVersion: "1.15.5", resourceCount: 1, encrypted: false,
        updatedAt: "2026-11-22T10:11:12.123456Z", updatedBy: "ci", lock: lock,
        deletedAt: "2026-11-22T10:11:12.123456Z", deletedBy: "root")
    private static let version = APITypes.Version(
        number: 1, serial: 1, lineage: "L", size: 10, sha256: String(repeating: "a", count: 64),
        md5: String(repeating: "b", count: 32), createdAt: "2026-11-22T10:11:12.123456Z", createdBy: "ci",
        lockID: "L1", terraformVersion: "1.15.5", resourceCount: 1, encrypted: false, rollbackOf: 1, current: true,
        purgedAt: "2026-11-22T10:11:12.123456Z", purgedBy: "root", purgeReason: "leak")
    private static let event = APITypes.AuditEvent(
        id: 1, at: "2026-11-22T10:11:12.123456Z", action: "write", state: "team/app", version: 1, user: "ci",
        address: "127.0.0.1", requestID: "r", lockID: "L1", reason: "why", detail: "what")
    private static let diff = Diff(
        from: 1, to: 2,
        resources: .init(
            added: ["a"], removed: ["b"],
            changed: [.init(address: "c", attributes: [.init(path: "x", before: .integer(1), after: .null)])]),
        outputs: .init(
            added: ["o"], removed: ["p"],
            changed: [.init(name: "q", before: .string("(sensitive)"), after: .bool(true))]
        ))

    private static let token = Token(
        id: "tok_1", name: "deploy", owner: "ci", grants: ["team/app": "write"],
        createdAt: "2026-11-22T10:11:12.123456Z", expiresAt: "2026-12-22T10:11:12.123456Z",
        lastUsedAt: "2026-11-23T10:11:12.123456Z", revokedAt: "2026-11-24T10:11:12.123456Z",
        accessKeyID: "SHAKABCDEFGHIJ234567")

    /// Each schema of `components/schemas` and a value of its type with every field set.
    private static let samples: [String: [any Encodable & Sendable]] = [
        "Lock": [lock],
        "StateSummary": [summary],
        "StateDetail": [StateDetail(summary: summary, outputs: ["url"], versionCount: 2)],
        "Version": [version],
        "AuditEvent": [event],
        "Diff": [diff],
        "OutputList": [
            OutputList(
                outputs: [
                    .init(name: "zones", type: "list(string)", sensitive: false, value: #"["a"]"#, truncated: true)
                ],
                version: 3, encrypted: false)
        ],
        "Error": [ErrorBody(error: "no")],
        "LockConflict": [ErrorBody(error: "locked", lock: lock)],
        "StateList": [StateList(states: [summary], nextCursor: "c")],
        "LockList": [LockList(locks: [.init(state: "team/app", lock: lock)])],
        "VersionList": [VersionList(versions: [version], nextBefore: 1)],
        "AuditPage": [AuditPage(events: [event], nextAfter: 1)],
        "ForceUnlockResult": [
            ForceUnlockResult(status: "force-unlocked", lock: lock), ForceUnlockResult(status: "not locked", lock: nil),
        ],
        "RollbackResult": [RollbackResult(status: "rolled back", version: version)],
        "ForceUnlockRequest": [ForceUnlockRequest(id: "L1", reason: "why")],
        "PurgeRequest": [PurgeRequest(reason: "why")],
        "RollbackRequest": [RollbackRequest(version: 1, reason: "why")],
        "RestoreRequest": [RestoreRequest(id: 1)],
        "Health": [Status(status: "ok")],
        "Ready": [Status(status: "ready")],
        "Token": [token],
        "TokenList": [TokenList(tokens: [token])],
        "CreatedToken": [
            CreatedToken(token: "sht_x", details: token),
            CreatedToken(accessKeyID: "SHAKABCDEFGHIJ234567", secretAccessKey: "s", details: token),
        ],
        "CreateTokenRequest": [
            CreateTokenRequest(name: "deploy", grants: ["team": "read"], expiresIn: "30d", s3: true)
        ],
    ]

    private func schemas() throws -> (document: [String: Any], schemas: [String: Any]) {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let components = try #require(document["components"] as? [String: Any])
        return (document, try #require(components["schemas"] as? [String: Any]))
    }

    @Test func theServedDocumentIsDocsOpenAPIJSON() throws {
        let file = try String(contentsOfFile: ServerProcess.repositoryRoot + "/docs/openapi.json", encoding: .utf8)
        #expect(OpenAPIDocument.json + "\n" == file)
    }

    @Test func everySchemaHasAType() throws {
        let names = Set(try self.schemas().schemas.keys).subtracting(["StateName", "AuditAction"])
        #expect(names == Set(Self.samples.keys))
    }

    @Test(arguments: Self.samples.keys.sorted())
    func theTypeHasTheSchemasProperties(schema name: String) throws {
        let (document, schemas) = try self.schemas()
        let schema = try #require(schemas[name])
        for sample in try #require(Self.samples[name]) {
            let value = try JSONSerialization.jsonObject(
                with: Data(try APIJSON.encode(sample)), options: .fragmentsAllowed)
            let problems = SchemaShape(document: document).problems(value, schema, at: name)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
    }

    @Test func requestMembersAreTheEncodedKeys() throws {
        func keys(_ request: some APIRequest) throws -> Set<String> {
            Set(
                try #require(
                    try JSONSerialization.jsonObject(with: Data(try APIJSON.encode(request))) as? [String: Any]
                ).keys)
        }
        #expect(try keys(ForceUnlockRequest(id: "a", reason: "b")) == Set(ForceUnlockRequest.members))
        #expect(try keys(PurgeRequest(reason: "b")) == Set(PurgeRequest.members))
        #expect(try keys(RollbackRequest(version: 1, reason: "b")) == Set(RollbackRequest.members))
        #expect(try keys(RestoreRequest(id: 1)) == Set(RestoreRequest.members))
        #expect(
            try keys(CreateTokenRequest(name: "a", grants: [:], expiresIn: "1d", s3: true))
                == Set(CreateTokenRequest.members))
    }
}

/// Compares the shape of a JSON value with a schema: an object's keys with the properties (all of
/// them: the samples set every field) and the required ones, recursively through `$ref`, `allOf`,
/// `oneOf` and array items.
private struct SchemaShape {
    let document: [String: Any]

    private func resolve(_ schema: Any) -> [String: Any] {
        guard var object = schema as? [String: Any] else { return [:] }
        while let reference = object["$ref"] as? String {
            var target: Any? = self.document
            for token in reference.dropFirst(2).split(separator: "/") {
                target = (target as? [String: Any])?[String(token)]
            }
            object = target as? [String: Any] ?? [:]
        }
        return object
    }

    func problems(_ value: Any, _ schema: Any, at path: String) -> [String] {
        let schema = self.resolve(schema)
        if schema["type"] as? String == "null" { return value is NSNull ? [] : ["\(path): not null"] }
        if let alternatives = schema["oneOf"] as? [Any] {
            let fitting = alternatives.filter { self.problems(value, $0, at: path).isEmpty }
            return fitting.count == 1 ? [] : ["\(path): fits \(fitting.count) of the oneOf alternatives"]
        }
        var properties = schema["properties"] as? [String: Any] ?? [:]
        var required = Set(schema["required"] as? [String] ?? [])
        for part in schema["allOf"] as? [Any] ?? [] {
            let part = self.resolve(part)
            properties.merge(part["properties"] as? [String: Any] ?? [:]) { first, _ in first }
            required.formUnion(part["required"] as? [String] ?? [])
        }
        if let items = schema["items"], let elements = value as? [Any] {
            return elements.enumerated().flatMap { self.problems($1, items, at: "\(path)[\($0)]") }
        }
        guard !properties.isEmpty else { return [] }
        guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
        var found: [String] = []
        let keys = Set(object.keys)
        if keys != Set(properties.keys) {
            found.append("\(path): keys \(keys.sorted()) but the schema has \(properties.keys.sorted())")
        }
        if !required.isSubset(of: keys) { found.append("\(path): missing \(required.subtracting(keys).sorted())") }
        for (key, member) in object where !(member is NSNull) {
            if let property = properties[key] { found += self.problems(member, property, at: "\(path).\(key)") }
        }
        return found
    }
}
