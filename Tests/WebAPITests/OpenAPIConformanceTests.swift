import Application
import CoreMetrics
import Foundation
import SystemSupport
import Testing

@testable import HTTPServer
@testable import WebAPI

/// The OpenAPI document describes what the server does: every documented operation is routed,
/// every route is documented, and real answers (statuses and JSON bodies) validate against the
/// document's schemas (with Python's jsonschema, installed with openapi-spec-validator).
@Suite struct OpenAPIConformanceTests {
    private func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    /// A fixture holding team/app with versions 1 (purged) … 4, a lock on team/locked, an
    /// encrypted state and a deleted one.
    private func seeded() -> APIFixture {
        let f = APIFixture(
            metrics: MetricsEndpoint(
                factory: NOOPMetricsHandler.instance, requireAuth: false, exposition: { Array("# empty\n".utf8) }))
        for serial in 1...4 { f.send("POST", "/state/team/app", body: stateJSON(serial)) }
        f.send("DELETE", "/api/v1/states/team/app/versions/1", body: #"{"reason":"leak"}"#)
        f.send("POST", "/state/team/locked", body: stateJSON(1))
        f.send("LOCK", "/state/team/locked", body: lockJSON("held"))
        f.send("POST", "/state/tofu", body: #"{"serial":1,"lineage":"e","meta":{},"encrypted_data":"AA=="}"#)
        f.send("POST", "/state/tofu", body: #"{"serial":2,"lineage":"e","meta":{},"encrypted_data":"AB=="}"#)
        f.send("POST", "/state/gone", body: stateJSON(1))
        f.send("DELETE", "/state/gone")
        return f
    }

    /// Requests covering every operation, with answers good and bad: (method, path, template, user, body).
    private let exchanges: [(String, String, String, String?, String)] = [
        ("GET", "/api/v1/states?limit=2", "/api/v1/states", "viewer", ""),
        ("GET", "/api/v1/states?deleted=true", "/api/v1/states", "root", ""),
        ("GET", "/api/v1/states?prefix=team/&contains=APP", "/api/v1/states", "viewer", ""),
        ("GET", "/api/v1/states?limit=0", "/api/v1/states", "root", ""),
        ("GET", "/api/v1/states", "/api/v1/states", nil, ""),
        ("GET", "/api/v1/states/team/app", "/api/v1/states/{name}", "root", ""),
        ("GET", "/api/v1/states/team/locked", "/api/v1/states/{name}", "root", ""),
        ("GET", "/api/v1/states/team/none", "/api/v1/states/{name}", "root", ""),
        ("GET", "/api/v1/states/tofu", "/api/v1/states/{name}", "ci", ""),
        ("GET", "/api/v1/locks", "/api/v1/locks", "viewer", ""),
        ("GET", "/api/v1/locks?older_than=x", "/api/v1/locks", "viewer", ""),
        ("DELETE", "/api/v1/states/team/locked/lock", "/api/v1/states/{name}/lock", "ci", ""),
        ("DELETE", "/api/v1/states/team/locked/lock", "/api/v1/states/{name}/lock", "root", #"{"id":"other"}"#),
        ("DELETE", "/api/v1/states/team/app/lock", "/api/v1/states/{name}/lock", "root", ""),
        ("GET", "/api/v1/states/team/app/versions?limit=2", "/api/v1/states/{name}/versions", "viewer", ""),
        ("GET", "/api/v1/states/team/app/versions/1", "/api/v1/states/{name}/versions/{number}", "viewer", ""),
        ("GET", "/api/v1/states/team/app/versions/9", "/api/v1/states/{name}/versions/{number}", "viewer", ""),
        ("DELETE", "/api/v1/states/team/app/versions/4", "/api/v1/states/{name}/versions/{number}", "root", ""),
        ("DELETE", "/api/v1/states/team/app/versions/2", "/api/v1/states/{name}/versions/{number}", "root", ""),
        ("POST", "/api/v1/states/team/locked/rollback", "/api/v1/states/{name}/rollback", "root", #"{"version":1}"#),
        ("POST", "/api/v1/states/tofu/rollback", "/api/v1/states/{name}/rollback", "root", #"{"version":1}"#),
        ("POST", "/api/v1/states/team/app/rollback", "/api/v1/states/{name}/rollback", "root", #"{"version":1}"#),
        ("POST", "/api/v1/states/team/app/rollback", "/api/v1/states/{name}/rollback", "root", #"{"nope":1}"#),
        ("POST", "/api/v1/states/team/app/rollback", "/api/v1/states/{name}/rollback", "ci", #"{"version":3}"#),
        ("GET", "/api/v1/states/team/app/diff?from=3&to=5", "/api/v1/states/{name}/diff", "viewer", ""),
        ("GET", "/api/v1/states/tofu/diff", "/api/v1/states/{name}/diff", "viewer", ""),
        ("POST", "/api/v1/states/gone/restore", "/api/v1/states/{name}/restore", "viewer", ""),
        ("POST", "/api/v1/states/gone/restore", "/api/v1/states/{name}/restore", "root", ""),
        ("POST", "/api/v1/states/gone/restore", "/api/v1/states/{name}/restore", "root", ""),
        ("GET", "/api/v1/audit?limit=3", "/api/v1/audit", "root", ""),
        ("GET", "/api/v1/audit?state=team/app", "/api/v1/audit", "viewer", ""),
        ("GET", "/api/v1/audit?since=never", "/api/v1/audit", "viewer", ""),
        ("GET", "/api/v1/audit?user=root&action=write", "/api/v1/audit", "root", ""),
        ("GET", "/api/v1/audit?action=unknown", "/api/v1/audit", "root", ""),
        ("POST", "/api/v1/tokens", "/api/v1/tokens", "ci", #"{"name":"deploy","grants":{"team/app":"write"}}"#),
        ("POST", "/api/v1/tokens", "/api/v1/tokens", "ci", #"{"name":"deploy","grants":{"team/app":"read"}}"#),
        ("POST", "/api/v1/tokens", "/api/v1/tokens", "ci", #"{"name":"wide","grants":{"*":"read"}}"#),
        ("POST", "/api/v1/tokens", "/api/v1/tokens", "ci", #"{"name":"x","grants":{"team":"owner"}}"#),
        ("POST", "/api/v1/tokens", "/api/v1/tokens", nil, #"{"name":"x","grants":{"team":"read"}}"#),
        ("GET", "/api/v1/tokens", "/api/v1/tokens", "root", ""),
        ("DELETE", "/api/v1/tokens/{created}", "/api/v1/tokens/{id}", "root", ""),
        ("DELETE", "/api/v1/tokens/tok_none", "/api/v1/tokens/{id}", "root", ""),
        ("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", nil, ""),
        ("GET", "/healthz", "/healthz", nil, ""),
        ("GET", "/readyz", "/readyz", nil, ""),
        ("GET", "/metrics", "/metrics", nil, ""),
    ]

    @Test func everyDocumentedOperationIsExercisedAndEveryRouteIsDocumented() throws {
        let paths = try #require(try self.document()["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys where method != "parameters" {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let exercised = Set(self.exchanges.map { "\($0.0) \($0.2)" })
        #expect(documented == exercised)
        // The router answers exactly the documented methods on each templated path (HEAD as GET).
        for (method, path, template, _, _) in self.exchanges where template.hasPrefix("/api/v1/states") {
            let route = try #require(ManagementRoute(rawPath: String(path.split(separator: "?")[0])))
            #expect(route.allowedMethods.contains(method))
            let allowed = Set(route.allowedMethods.filter { $0 != "HEAD" }.map { "\($0) \(template)" })
            #expect(allowed.isSubset(of: documented), "\(allowed)")
        }
    }

    @Test func realAnswersMatchTheDocumentedStatusesAndSchemas() throws {
        let f = self.seeded()
        var answers: [[String: Any]] = []
        let created = f.send("POST", "/api/v1/tokens", body: #"{"name":"seeded","grants":{"*":"read"}}"#)
        let id = try #require(try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])["id"]
        for (method, rawPath, template, user, body) in self.exchanges {
            let path = rawPath.replacingOccurrences(of: "{created}", with: try #require(id as? String))
            let response = f.send(method, path, user: user, body: body)
            let isJSON = response.headers["Content-Type"] == "application/json"
            let json = isJSON ? try? JSONSerialization.jsonObject(with: Data(response.body)) : nil
            answers.append([
                "method": method.lowercased(), "template": template, "status": String(response.status.code),
                "label": "\(method) \(path) as \(user ?? "nobody")", "body": json ?? NSNull(),
                "json": isJSON,
            ])
        }
        let statuses = answers.map { "\($0["label"]!) → \($0["status"]!)" }
        // The seeded fixture reaches the interesting answers, not only errors.
        for expected in [
            "GET /api/v1/states/team/app/versions/1 as viewer → 410",
            "DELETE /api/v1/states/team/app/versions/4 as root → 409",
            "POST /api/v1/states/tofu/rollback as root → 422",
            "POST /api/v1/states/team/locked/rollback as root → 409",
            "POST /api/v1/states/team/app/rollback as ci → 200",
            "POST /api/v1/states/gone/restore as root → 200",
            "DELETE /api/v1/states/team/locked/lock as root → 409",
            "POST /api/v1/tokens as ci → 201", "POST /api/v1/tokens as ci → 409", "POST /api/v1/tokens as ci → 403",
            "POST /api/v1/tokens as ci → 400", "GET /api/v1/tokens as root → 200",
            "DELETE /api/v1/tokens/tok_none as root → 404",
        ] {
            #expect(statuses.contains(expected), "\(statuses)")
        }
        #expect(statuses.contains { $0.hasPrefix("DELETE /api/v1/tokens/tok_") && $0.hasSuffix(" as root → 200") })

        let directory = NSTemporaryDirectory() + "statehouse-conformance-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try OpenAPIDocument.json.write(toFile: directory + "/openapi.json", atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: answers).write(to: URL(fileURLWithPath: directory + "/answers.json"))
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            doc = json.load(open(sys.argv[1] + "/openapi.json"))
            problems = []
            for a in json.load(open(sys.argv[1] + "/answers.json")):
                op = doc["paths"][a["template"]][a["method"]]
                response = op["responses"].get(a["status"])
                if response is None:
                    problems.append(f"{a['label']}: status {a['status']} is not documented")
                    continue
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema is None or not a["json"]:
                    continue
                root = dict(schema, components=doc["components"])
                for error in Draft202012Validator(root).iter_errors(a["body"]):
                    problems.append(f"{a['label']}: {error.message} at {list(error.absolute_path)}")
            print("\\n".join(problems))
            sys.exit(1 if problems else 0)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
    }

    @Test func hostDropsThePort() {
        #expect(host(of: "127.0.0.1:5000") == "127.0.0.1")
        #expect(host(of: "[::1]:5000") == "::1")
        #expect(host(of: "unix") == "unix")
    }

    @Test func cursorsRoundTripAndRejectForgeries() {
        let position = StatePosition(name: "team/app", id: 42)
        #expect(Cursor.decode(Cursor.encode(position)) == position)
        #expect(Cursor.decode("zz") == nil)
        #expect(Cursor.decode("abc") == nil)
        #expect(Cursor.decode(Hex.encode(Array("nocolon".utf8))) == nil)
    }
}
