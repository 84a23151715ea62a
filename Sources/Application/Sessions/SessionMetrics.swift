import Metrics

/// The counter of web UI sessions ended early or removed: `statehouse_ui_sessions_ended_total`.
enum SessionMetrics {
    /// Why a session ended.
    enum Reason: String {
        /// Its user signed out.
        case signedOut = "signed_out"
        /// Its principal signed in once too often, and it was the oldest.
        case replaced
        /// It expired and the sweep removed it.
        case expired
    }

    /// The counter of sessions ended for `reason`.
    static func ended(_ reason: Reason, factory: any MetricsFactory) -> Counter {
        Counter(
            label: "statehouse_ui_sessions_ended_total", dimensions: [("reason", reason.rawValue)], factory: factory)
    }
}
