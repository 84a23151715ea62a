import Foundation

/// Databases, config files and commands for end-to-end tests.
public enum TestEnvironment {
    /// The PostgreSQL that `scripts/with-postgres` started, if any.
    public static var postgresURL: String? { ProcessInfo.processInfo.environment["TEST_POSTGRES_URL"] }

    /// A new empty database on the test cluster; returns its URL.
    public static func createDatabase() throws -> String {
        guard let base = self.postgresURL, let slash = base.range(of: "/", options: .backwards) else {
            throw TestEnvironmentError("TEST_POSTGRES_URL is not set; run the tests through scripts/with-postgres")
        }
        let name = "e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let result = try self.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE \(name)"])
        guard result.status == 0 else { throw TestEnvironmentError("createdb failed: \(result.output)") }
        return String(base[..<slash.upperBound]) + name
    }

    /// Writes a config file into a new temporary directory; returns its path.
    public static func writeConfig(_ toml: String) throws -> String {
        let directory = try self.temporaryDirectory()
        let path = directory + "/config.toml"
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A new empty temporary directory.
    public static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "statehouse-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a command to completion with this process's environment plus `environment`;
    /// returns its exit status and its standard output and error, interleaved.
    public static func run(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

/// A test environment that is not set up as the test needs.
public struct TestEnvironmentError: Error, CustomStringConvertible {
    /// What is missing.
    public let description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
