import Application
import Domain
import SystemSupport

/// The management API's JSON bodies, written as text with keys in a fixed order.
enum JSON {
    /// `{"key": value, …}` from members whose values are JSON text already.
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { jsonQuoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// `[…]` from elements that are JSON text already.
    static func array(_ elements: [String]) -> String {
        "[" + elements.joined(separator: ",") + "]"
    }

    /// A string, or `null`.
    static func string(_ text: String?) -> String {
        text.map(jsonQuoted) ?? "null"
    }

    /// A number, or `null`.
    static func number(_ value: Int64?) -> String {
        value.map { String($0) } ?? "null"
    }

    /// A boolean.
    static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    /// A timestamp as RFC 3339, or `null`.
    static func time(_ value: Timestamp?) -> String {
        value.map { jsonQuoted($0.description) } ?? "null"
    }

    /// A held lock: the holder's description, who took it when, and its age at `now`.
    static func lock(_ lock: StoredLock, now: Timestamp) -> String {
        let info = lock.info
        return self.object([
            ("id", self.string(info.id)), ("operation", self.string(info.operation)), ("who", self.string(info.who)),
            ("info", self.string(info.info)), ("version", self.string(info.version)),
            ("created", self.string(info.created)), ("path", self.string(info.path)),
            ("acquired_at", self.time(lock.acquiredAt)), ("acquired_by", self.string(lock.acquiredBy)),
            ("age_seconds", self.number(max(0, now.microseconds - lock.acquiredAt.microseconds) / 1_000_000)),
        ])
    }

    private static func summaryFields(_ entry: StateEntry, now: Timestamp) -> [(String, String)] {
        let state = entry.state
        let latest = state.latest
        let encrypted = latest?.metadata.encrypted ?? false
        return [
            ("name", self.string(state.name.rawValue)), ("id", self.number(state.id)),
            ("created_at", self.time(state.createdAt)), ("version", self.number(latest?.number)),
            ("serial", self.number(latest?.serial)), ("lineage", self.string(latest?.lineage)),
            ("size", self.number(latest?.size)), ("terraform_version", self.string(latest?.metadata.terraformVersion)),
            ("resource_count", self.number(latest?.metadata.resourceCount)), ("encrypted", self.bool(encrypted)),
            ("updated_at", self.time(latest?.createdAt)), ("updated_by", self.string(latest?.createdBy)),
            ("lock", state.lock.map { self.lock($0, now: now) } ?? "null"),
            ("deleted_at", self.time(entry.deletedAt)), ("deleted_by", self.string(entry.deletedBy)),
        ]
    }

    /// A state in a listing.
    static func summary(_ entry: StateEntry, now: Timestamp) -> String {
        self.object(self.summaryFields(entry, now: now))
    }

    /// One state in detail: the summary, output names and the number of versions.
    static func details(_ details: StateDetails, now: Timestamp) -> String {
        let outputs = details.entry.state.latest?.metadata.outputNames ?? []
        return self.object(
            self.summaryFields(details.entry, now: now) + [
                ("outputs", self.array(outputs.map(jsonQuoted))), ("version_count", self.number(details.versionCount)),
            ])
    }

    /// A version's record; `current` is the state's current version number, if known.
    static func version(_ record: VersionRecord, current: Int64?) -> String {
        self.object([
            ("number", self.number(record.number)), ("serial", self.number(record.serial)),
            ("lineage", self.string(record.lineage)), ("size", self.number(record.size)),
            ("sha256", self.string(Hex.encode(record.sha256))), ("md5", self.string(Hex.encode(record.md5))),
            ("created_at", self.time(record.createdAt)), ("created_by", self.string(record.createdBy)),
            ("lock_id", self.string(record.lockID)),
            ("terraform_version", self.string(record.metadata.terraformVersion)),
            ("resource_count", self.number(record.metadata.resourceCount)),
            ("encrypted", self.bool(record.metadata.encrypted)), ("rollback_of", self.number(record.rollbackOf)),
            ("current", self.bool(record.number == current)), ("purged_at", self.time(record.purge?.at)),
            ("purged_by", self.string(record.purge?.by)), ("purge_reason", self.string(record.purge?.reason)),
        ])
    }

    /// An audit event.
    static func event(_ event: AuditEvent) -> String {
        self.object([
            ("id", self.number(event.id)), ("at", self.time(event.at)), ("action", self.string(event.action.rawValue)),
            ("state", self.string(event.state.rawValue)), ("version", self.number(event.version)),
            ("user", self.string(event.user)), ("address", self.string(event.address)),
            ("request_id", self.string(event.requestID)), ("lock_id", self.string(event.lockID)),
            ("reason", self.string(event.reason)), ("detail", self.string(event.detail)),
        ])
    }

    /// A diff between two versions, with the version numbers first.
    static func diff(_ result: DiffVersions.Result) -> String {
        let body = result.diff.json
        return "{\"from\":\(result.from.number),\"to\":\(result.to.number)," + body.dropFirst()
    }
}
