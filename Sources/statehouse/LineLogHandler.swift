import HTTPServer
import Logging
import Synchronization
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A swift-log backend writing one line per event to a file descriptor, as text or JSON.
///
/// Text: `2026-11-22T10:11:12.345Z info request request.id=1f2e method=GET status=200`.
/// JSON: `{"time":"…","level":"info","message":"request","request.id":"1f2e",…}`.
/// `request.id` comes first; other metadata keys follow in sorted order.
struct LineLogHandler: LogHandler {
    /// Serialises writes so lines from different threads never interleave.
    final class Output: Sendable {
        private let fd: Int32
        private let lock = Mutex<Void>(())

        /// Writes to `fd` (1 for standard output).
        init(fd: Int32) { self.fd = fd }

        func write(_ line: String) {
            var line = line
            line.withUTF8 { bytes in
                self.lock.withLock { _ in try? FileIO.writeAll(self.fd, UnsafeRawBufferPointer(bytes)) }
            }
        }
    }

    let format: StatehouseConfiguration.LogFormat
    let output: Output
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        self.output.write(
            LineLogHandler.render(
                format: self.format, time: LineLogHandler.timestamp(), level: event.level,
                message: event.message.description, metadata: merged))
    }

    /// One complete line, newline included.
    static func render(
        format: StatehouseConfiguration.LogFormat, time: String, level: Logger.Level, message: String,
        metadata: Logger.Metadata
    ) -> String {
        let keys = metadata.keys.sorted { lhs, rhs in
            lhs == "request.id" ? rhs != "request.id" : (rhs == "request.id" ? false : lhs < rhs)
        }
        switch format {
        case .text:
            var line = "\(time) \(level.rawValue) \(message)"
            for key in keys {
                line += " \(key)=\(textValue(metadata[key]!.description))"
            }
            return line + "\n"
        case .json:
            var line =
                "{\"time\":\(jsonStringLiteral(time)),\"level\":\(jsonStringLiteral(level.rawValue)),\"message\":\(jsonStringLiteral(message))"
            for key in keys where !["time", "level", "message"].contains(key) {
                line += ",\(jsonStringLiteral(key)):\(jsonStringLiteral(metadata[key]!.description))"
            }
            return line + "}\n"
        }
    }

    /// The current UTC time as `2026-11-22T10:11:12.345Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
            + "T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            + ".\(pad(now.tv_nsec / 1_000_000, 3))Z"
    }
}

/// A text-format value: bare when it is a simple word, otherwise quoted with escapes.
private func textValue(_ value: String) -> String {
    let plain =
        !value.isEmpty
        && value.utf8.allSatisfy { $0 > 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "=") && $0 < 0x7F }
    return plain ? value : jsonStringLiteral(value)
}
