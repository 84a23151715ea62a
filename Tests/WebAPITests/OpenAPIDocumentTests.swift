import Application
import Foundation
import Testing

@testable import WebAPI

@Suite struct OpenAPIDocumentTests {
    /// The document parsed with Foundation.
    private func document() throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8))
        return try #require(parsed as? [String: Any], "the document is a JSON object")
    }

    @Test func isOpenAPI31JSON() throws {
        let document = try self.document()
        #expect(document["openapi"] as? String == "3.1.0")
        let info = try #require(document["info"] as? [String: Any])
        #expect(info["title"] as? String == "Statehouse management API")
        #expect(info["version"] as? String == "1")
    }

    @Test func passesOpenAPISpecValidator() throws {
        let directory = NSTemporaryDirectory() + "statehouse-openapi-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/openapi.json"
        try OpenAPIDocument.json.write(toFile: path, atomically: true, encoding: .utf8)

        // openapi-spec-validator from PyPI; scripts/test installs it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "openapi_spec_validator", "--validation-errors", "all", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openapi-spec-validator rejected the document:\n\(output)")
    }

    @Test func everyReferenceResolves() throws {
        let document = try self.document()
        var references: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in Set(references).sorted() {
            #expect(reference.hasPrefix("#/"), "\(reference) is not local")
            var target: Any? = document
            for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
                let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                target = (target as? [String: Any])?[key]
            }
            #expect(target != nil, "\(reference) does not resolve")
        }
    }

    @Test func documentsEveryAuditActionTheServerKnows() throws {
        let schemas = try #require((try self.document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let action = try #require(schemas["AuditAction"] as? [String: Any])
        #expect(action["enum"] as? [String] == AuditEvent.Action.allCases.map(\.rawValue))
    }
}
