/// Reads samples out of a Prometheus text exposition, for tests.
public struct PrometheusText: Sendable {
    /// Sample values by series, written as in the exposition: `name{label="value",…}` or `name`.
    public let samples: [String: Double]

    /// Parses `text`; comment lines are skipped.
    public init(_ text: String) {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    /// The value of `series`, or `nil` when the exposition does not have it.
    public subscript(_ series: String) -> Double? { self.samples[series] }

    /// The value of `series`, 0 when absent (a counter not touched yet).
    public func count(_ series: String) -> Double { self.samples[series] ?? 0 }
}
