import Application
import HTTPTestSupport
import Testing

@testable import statehouse

/// `[encryption]`: the key ring from the file, the environment or a key file, and errors that
/// never show a key.
@Suite struct EncryptionConfigurationTests {
    static let first = KeyRing.newEntry(id: "2026-12")
    static let second = KeyRing.newEntry(id: "2026-06")

    func load(_ toml: String?, _ environment: [String: String] = [:]) throws -> StatehouseConfiguration {
        try ConfigurationLoader.load(file: toml == nil ? nil : "config.toml", toml: toml, environment: environment)
    }

    func failure(_ toml: String?, _ environment: [String: String] = [:]) -> String {
        do {
            _ = try self.load(toml, environment)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func noSectionMeansNoKeys() throws {
        #expect(try self.load(nil).encryption.keys.isEmpty)
        #expect(try self.load("[state]\ncompression_level = 1").encryption.sealingKey() == nil)
    }

    @Test func keysFromTheFileTheFirstSeals() throws {
        let ring = try self.load("[encryption]\nkeys = [\"\(Self.first)\", \"\(Self.second)\"]").encryption
        #expect(ring.keys.map(\.id) == ["2026-12", "2026-06"])
        #expect(ring.sealingKey()?.id == "2026-12")
        #expect(ring.key(id: "2026-06") != nil)
    }

    @Test func theVariableReplacesTheFilesKeysCommaSeparated() throws {
        let ring = try self.load(
            "[encryption]\nkeys = [\"\(Self.second)\"]",
            ["STATEHOUSE_ENCRYPTION_KEYS": " \(Self.first) , \(Self.second)"]
        ).encryption
        #expect(ring.keys.map(\.id) == ["2026-12", "2026-06"])
    }

    @Test func aKeyFileHoldsOneKeyALineWithCommentsAndBlankLines() throws {
        let path = try TestEnvironment.writeConfig("# rotated 2026-12\n\n\(Self.first)\r\n  \(Self.second)  \n")
        let ring = try self.load("[encryption]\nkey_file = \"\(path)\"").encryption
        #expect(ring.keys.map(\.id) == ["2026-12", "2026-06"])
        let fromVariable = try self.load(nil, ["STATEHOUSE_ENCRYPTION_KEY_FILE": path]).encryption
        #expect(fromVariable.keys.count == 2)
        #expect(self.failure("[encryption]\nkey_file = \"\(path).missing\"").contains("cannot read \(path).missing"))
    }

    @Test func theStartupLineNamesKeysByIDOnly() throws {
        #expect(Serve.describe(.empty) == "off (states and S3 key secrets stored unencrypted)")
        let ring = try self.load("[encryption]\nkeys = [\"\(Self.first)\", \"\(Self.second)\"]").encryption
        #expect(Serve.describe(ring) == "key 2026-12 (2 keys in the ring)")
    }

    @Test func thePublicExampleKeyOfEnvExampleIsWarnedAbout() throws {
        let root = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let shipped = try readFile("/" + root + "/.env.example").split(separator: "\n")
            .first { $0.hasPrefix("STATEHOUSE_ENCRYPTION_KEYS=") }?.dropFirst("STATEHOUSE_ENCRYPTION_KEYS=".count)
        #expect(shipped.map(String.init) == StatehouseConfiguration.exampleEncryptionKey)
        let withExample = try KeyRing(entries: [Self.first, StatehouseConfiguration.exampleEncryptionKey])
        #expect(
            Serve.exampleKeyWarning(withExample)?.contains("the encryption key example is the public example") == true)
        #expect(Serve.exampleKeyWarning(try KeyRing(entries: [Self.first])) == nil)
        let sameIDOtherKey = try KeyRing(entries: [KeyRing.newEntry(id: "example")])
        #expect(Serve.exampleKeyWarning(sameIDOtherKey) == nil)
    }

    @Test func mistakesStopStartupWithoutShowingAKey() {
        let key = String(Self.first.split(separator: ":")[1])
        let shortKey = "c2hvcnQ="
        let cases: [(String, String)] = [
            ("keys = [\"\(Self.first)\"]\nkey_file = \"/x\"", "set encryption.keys or encryption.key_file, not both"),
            ("keys = []", "names no key"),
            ("keys = [\"\(key)\"]", "key 1 is not written id:key"),
            ("keys = [\"bad id:\(key)\"]", "key 1 has an invalid id"),
            ("keys = [\"\(Self.first)\", \"2025:not-base64!\"]", "key 2 (id 2025) is not base64"),
            ("keys = [\"k:\(shortKey)\"]", "key k is 5 bytes; an AES-256 key is 32"),
            ("keys = [\"\(Self.first)\", \"\(Self.first)\"]", "key id 2026-12 appears twice"),
            ("keys = \"\(Self.first)\"", "expected an array of \"id:key\" strings"),
        ]
        for (body, expected) in cases {
            let message = self.failure("[encryption]\n" + body)
            #expect(message.contains("encryption.key"), "\(message)")
            #expect(message.contains(expected), "\(message)")
            #expect(!message.contains(key) && !message.contains(shortKey), "\(message)")
        }
    }
}
