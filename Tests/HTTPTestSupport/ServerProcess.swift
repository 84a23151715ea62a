import Foundation

/// The built `statehouse` binary run as a child process, with its output captured.
///
/// Output is read on background threads as it arrives, so the child never blocks on a full pipe;
/// waits are bounded and wake on new output, never on a timer.
public final class ServerProcess: @unchecked Sendable {
    private let process = Process()
    /// What the child has written, filled by the reading threads. They hold this, not the
    /// `ServerProcess`, so a test that drops it ends the child (see `deinit`).
    private let output = Output()

    private final class Output: @unchecked Sendable {
        let condition = NSCondition()
        var stdoutText = ""
        var stderrText = ""
        var openStreams = 2
    }

    /// The binary: `$TEST_STATEHOUSE_BINARY`, or `statehouse` next to the running test bundle.
    public static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["TEST_STATEHOUSE_BINARY"] { return path }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("statehouse").path
    }

    /// The repository root (for `config.toml` and `examples/`).
    public static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// Starts `statehouse` with `arguments`; `environment` is added to a minimal PATH/HOME environment.
    /// `addressSpaceLimit` (bytes) runs it under that `RLIMIT_AS`, through `prlimit`, which keeps
    /// the pid.
    public init(
        arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        addressSpaceLimit: Int? = nil
    ) throws {
        if let addressSpaceLimit {
            self.process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            self.process.arguments = ["--as=\(addressSpaceLimit)", ServerProcess.binaryPath] + arguments
        } else {
            self.process.executableURL = URL(fileURLWithPath: ServerProcess.binaryPath)
            self.process.arguments = arguments
        }
        var base = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        base.merge(environment) { $1 }
        self.process.environment = base
        if let directory { self.process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        self.process.standardOutput = out
        self.process.standardError = err
        try self.process.run()
        self.drain(out.fileHandleForReading, isStandardError: false)
        self.drain(err.fileHandleForReading, isStandardError: true)
    }

    /// Whether the process has not exited.
    public var isRunning: Bool { self.process.isRunning }

    /// The process id.
    public var pid: Int32 { self.process.processIdentifier }

    /// The resident set size now, in bytes (`VmRSS` of /proc/<pid>/status).
    public func residentBytes() throws -> Int {
        try self.status("VmRSS") * 1024
    }

    /// The address space it has mapped now, in bytes (`VmSize` of /proc/<pid>/status): what
    /// `RLIMIT_AS` limits.
    public func virtualBytes() throws -> Int {
        try self.status("VmSize") * 1024
    }

    /// The number of threads now (`Threads` of /proc/<pid>/status).
    public func threadCount() throws -> Int {
        try self.status("Threads")
    }

    /// The first number of the line `field:` in /proc/<pid>/status.
    private func status(_ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(self.pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let value = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        else { throw CocoaError(.fileReadCorruptFile) }
        return value
    }

    deinit {
        if self.process.isRunning {
            self.process.terminate()
            self.process.waitUntilExit()
        }
    }

    private func drain(_ handle: FileHandle, isStandardError: Bool) {
        Thread.detachNewThread { [output] in
            while true {
                let data = handle.availableData
                output.condition.lock()
                if data.isEmpty {
                    output.openStreams -= 1
                } else {
                    let text = String(decoding: data, as: UTF8.self)
                    if isStandardError { output.stderrText += text } else { output.stdoutText += text }
                }
                output.condition.broadcast()
                output.condition.unlock()
                if data.isEmpty { return }
            }
        }
    }

    /// Everything written to standard output so far.
    public var standardOutput: String {
        self.output.condition.lock()
        defer { self.output.condition.unlock() }
        return self.output.stdoutText
    }

    /// Everything written to standard error so far.
    public var standardError: String {
        self.output.condition.lock()
        defer { self.output.condition.unlock() }
        return self.output.stderrText
    }

    /// Waits until a line of standard output contains `text`; returns that line, or `nil` when
    /// the process ends first or `timeout` passes.
    public func waitForLine(containing text: String, timeout: TimeInterval = 20) -> String? {
        self.waitForLine(containing: text, skipping: 0, timeout: timeout)
    }

    /// How many lines of standard output so far contain `text`.
    public func countLines(containing text: String) -> Int {
        self.output.condition.lock()
        defer { self.output.condition.unlock() }
        return self.output.stdoutText.split(separator: "\n").filter { $0.contains(text) }.count
    }

    /// Waits for a line containing `text` after the first `skipping` such lines, on standard
    /// output or, with `standardError`, on standard error.
    public func waitForLine(
        containing text: String, skipping: Int, standardError: Bool = false, timeout: TimeInterval = 20
    ) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        self.output.condition.lock()
        defer { self.output.condition.unlock() }
        while true {
            let written = standardError ? self.output.stderrText : self.output.stdoutText
            let matches = written.split(separator: "\n").filter { $0.contains(text) }
            if matches.count > skipping { return String(matches[skipping]) }
            if self.output.openStreams == 0 || !self.output.condition.wait(until: deadline) { return nil }
        }
    }

    /// The port from the `statehouse listening addresses=127.0.0.1:PORT,…` line.
    public func waitForPort(timeout: TimeInterval = 20) -> Int? {
        guard let line = self.waitForLine(containing: "statehouse listening", timeout: timeout),
            let range = line.range(of: "127.0.0.1:")
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// Sends `signal` (SIGTERM, SIGINT, …).
    public func send(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// Waits for the process to exit and both output streams to close; returns the exit status,
    /// or `nil` if it is still running after `timeout`.
    public func waitForExit(timeout: TimeInterval = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        self.output.condition.lock()
        while self.output.openStreams > 0 {
            if !self.output.condition.wait(until: deadline) {
                self.output.condition.unlock()
                return nil
            }
        }
        self.output.condition.unlock()
        self.process.waitUntilExit()
        return self.process.terminationStatus
    }
}
