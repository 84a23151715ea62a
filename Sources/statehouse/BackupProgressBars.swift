import Application

/// Draws a backup command's progress on standard error: a bar for each step the use case
/// announces (export; or verify, then import).
final class BackupProgressBars {
    private var bar: ProgressBar?

    /// Hears one event from the use case.
    func callAsFunction(_ progress: BackupProgress) {
        switch progress {
        case .planned(let step, let versions, _):
            self.bar?.finish()
            self.bar = ProgressBar(step, total: versions, unit: "versions")
        case .version(let bytes):
            self.bar?.advance(bytes: bytes)
        }
    }

    /// Ends the last bar.
    func finish() {
        self.bar?.finish()
        self.bar = nil
    }

    /// `counts` for a summary line: `12 states (1 deleted), 40 versions (2 purged), 3.1 MB, 90
    /// audit events, 2 API tokens`.
    static func describe(_ counts: BackupCounts) -> String {
        let megabytes = Double(counts.bytes) / 1_000_000
        let deleted = counts.deletedStates > 0 ? " (\(counts.deletedStates) deleted)" : ""
        let purged = counts.purgedVersions > 0 ? " (\(counts.purgedVersions) purged)" : ""
        return "\(counts.states) states\(deleted), \(counts.versions) versions\(purged), "
            + "\(Int(megabytes)).\(Int(megabytes * 10) % 10) MB, \(counts.auditEvents) audit events, "
            + "\(counts.tokens) API tokens"
    }

    /// `duration` in seconds with one decimal: `12.3 s`.
    static func seconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10 + duration.components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
