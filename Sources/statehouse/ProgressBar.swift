#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Progress of a long command on standard error: on a terminal one line redrawn at most ten times
/// a second (`rekey  [#########-----------]  45%  450/1000 versions  12.3 MB`); otherwise a plain
/// line at every tenth of the way, so that logs stay short.
final class ProgressBar {
    private let title: String
    private let total: Int
    private let unit: String
    private let terminal: Bool
    private var done = 0
    private var bytes: Int64 = 0
    private var lastDrawn = ContinuousClock.now - .seconds(1)
    private var lastTenth = 0

    /// A bar for `total` things called `unit` (plural), headed `title`.
    init(_ title: String, total: Int, unit: String, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.title = title
        self.total = total
        self.unit = unit
        self.terminal = terminal
    }

    /// Counts `count` more things done, carrying `bytes` bytes.
    func advance(by count: Int = 1, bytes: Int64 = 0) {
        self.done += count
        self.bytes += bytes
        if self.terminal {
            let now = ContinuousClock.now
            guard now - self.lastDrawn >= .milliseconds(100) || self.done >= self.total else { return }
            self.lastDrawn = now
            writeToStandardError("\r\u{1B}[K" + self.line(bar: true))
        } else if self.total > 0, case let tenth = self.done * 10 / self.total, tenth > self.lastTenth {
            self.lastTenth = tenth
            writeToStandardError(self.line(bar: false) + "\n")
        }
    }

    /// Ends the bar's line on a terminal.
    func finish() {
        if self.terminal { writeToStandardError("\r\u{1B}[K" + self.line(bar: true) + "\n") }
    }

    private func line(bar: Bool) -> String {
        let fraction = self.total == 0 ? 1 : min(1, Double(self.done) / Double(self.total))
        let filled = Int(fraction * 20)
        let graphic =
            bar ? "  [" + String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled) + "]" : ""
        let percent = String(Int(fraction * 100)).leftPadded(to: 3)
        let megabytes = Double(self.bytes) / 1_000_000
        let size = self.bytes > 0 ? "  \(Int(megabytes)).\(Int(megabytes * 10) % 10) MB" : ""
        return "\(self.title)\(graphic)  \(percent)%  \(self.done)/\(self.total) \(self.unit)\(size)"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - self.count)) + self
    }
}
