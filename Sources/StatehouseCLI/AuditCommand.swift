import APITypes
import ArgumentParser

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `statehouse audit`: the audit log, oldest first.
public struct AuditCommand: APICommand {
    /// The command's name and help.
    public static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the audit log, oldest first.")

    /// Server and output options.
    @OptionGroup public var connection: ConnectionOptions

    /// Only this state's events.
    @Option(help: "Only events of this state (exact name).")
    public var state: String?

    /// Only this user's events (`--user` is the login).
    @Option(name: .customLong("by"), help: "Only events caused by this user (exact name).")
    public var byUser: String?

    /// Only events of this action.
    @Option(help: "Only events of this action, such as write, force-unlock or rollback.")
    public var action: String?

    /// Only events from this time on: RFC 3339, or a duration back from now.
    @Option(
        help: """
            Only events at or after this time: RFC 3339, such as 2026-11-22T10:00:00Z, or a duration \
            back from now: 90s, 30m, 1h, 2d.
            """)
    public var since: String?

    /// The page size.
    @Option(help: "Events to list (1-1000; the server's default is 100).")
    public var limit: Int?

    /// Only events after this id.
    @Option(help: "Only events after this event ID (for the next page).")
    public var after: Int?

    /// Creates the command.
    public init() {}

    /// Checks `--limit` and `--since`.
    public func validate() throws {
        try validateLimit(self.limit)
        if let since = self.since { _ = try AuditCommand.timestamp(since: since, now: Date()) }
    }

    /// Fetches and renders one page, with a hint for the next.
    public func perform(_ api: APIClient) throws(CLIError) -> String {
        var since: String? = nil
        if let text = self.since {
            do {
                since = try AuditCommand.timestamp(since: text, now: Date())
            } catch {
                throw .usage(error.description)
            }
        }
        let response = try api.call(
            "GET",
            .audit(
                state: self.state, user: self.byUser, action: self.action, since: since, limit: self.limit,
                after: self.after))
        if self.connection.json { return response.text }
        let list = try api.decode(AuditPage.self, response)
        return Render.audit(list.events) + (list.nextAfter.map { "\n(more events: --after \($0))" } ?? "")
    }
}

extension AuditCommand {
    /// The `since` query value for `--since text`: a duration such as `90s`, `30m`, `1h` or `2d`
    /// becomes the RFC 3339 UTC time that long before `now` (to the second); anything else is
    /// passed on for the server to parse as RFC 3339, except bare numbers and words like `2days`,
    /// which are rejected here.
    static func timestamp(since text: String, now: Date) throws(ValidationError) -> String {
        let invalid = ValidationError(
            "--since takes an RFC 3339 time, such as 2026-11-22T10:00:00Z, or a duration: 90s, 30m, 1h, 2d")
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        // A date starts with four digits and a dash; anything else made of digits and letters is
        // meant as a duration.
        guard !digits.isEmpty, unit.allSatisfy(\.isLetter) else { return text }
        let unitSeconds: [Substring: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let multiplier = unitSeconds[unit], let count = Int(digits) else { throw invalid }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow, seconds <= 100 * 366 * 86400 else {
            throw ValidationError("--since \(text) is more than 100 years back")
        }
        // To the second as `ISO8601DateFormatter` had it: rounded to the millisecond, then truncated.
        let milliseconds = (now.addingTimeInterval(-Double(seconds)).timeIntervalSince1970 * 1000 + 0.5).rounded(.down)
        let then = Date(timeIntervalSince1970: (milliseconds / 1000).rounded(.down))
        return then.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
