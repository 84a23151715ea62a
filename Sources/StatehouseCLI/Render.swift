import APITypes
import SystemSupport

/// The human-readable output of each command, as pure functions of the decoded answers.
enum Render {
    /// `states list`: one row per state. Deleted listings show the state id (for a restore) and
    /// who deleted it instead of the lock.
    static func states(_ states: [StateSummary], deleted: Bool) -> String {
        guard !states.isEmpty else { return deleted ? "No deleted states." : "No states." }
        let common = ["NAME", "SERIAL", "VERSION", "RESOURCES", "TF", "UPDATED", "BY"]
        let header = deleted ? ["ID"] + common + ["DELETED", "DELETED BY"] : common + ["LOCK"]
        let rows = states.map { state in
            let cells = [
                state.name, Format.optional(state.serial), Format.optional(state.version),
                state.encrypted ? "encrypted" : Format.optional(state.resourceCount),
                Format.optional(state.terraformVersion), state.updatedAt.map(Format.timestamp) ?? "-",
                Format.optional(state.updatedBy),
            ]
            if deleted {
                return [String(state.id)] + cells + [
                    state.deletedAt.map(Format.timestamp) ?? "-", Format.optional(state.deletedBy),
                ]
            }
            return cells + [
                state.lock.map {
                    "\($0.who.isEmpty ? $0.acquiredBy : $0.who) \(Format.age(seconds: Int($0.ageSeconds)))"
                }
                    ?? "-"
            ]
        }
        return Format.table(header, rows)
    }

    /// `states show`: aligned `key: value` lines, then the output names.
    static func state(_ detail: StateDetail) -> String {
        let state = detail.summary
        var pairs: [(String, String)] = [("name", state.name), ("id", String(state.id))]
        if let version = state.version {
            pairs.append(("version", "\(version) (\(detail.versionCount) kept)"))
        } else {
            pairs.append(("version", "none yet"))
        }
        pairs += [
            ("serial", Format.optional(state.serial)), ("lineage", Format.optional(state.lineage)),
            ("size", state.size.map { Format.size(Int($0)) } ?? "-"),
            ("terraform", Format.optional(state.terraformVersion)),
            ("resources", Format.optional(state.resourceCount)), ("encrypted", state.encrypted ? "yes" : "no"),
            ("created", Format.timestamp(state.createdAt)),
            ("updated", state.updatedAt.map { Format.timestamp($0) + " by " + (state.updatedBy ?? "?") } ?? "-"),
            ("lock", state.lock.map(Render.lockHolder) ?? "none"),
        ]
        if let deletedAt = state.deletedAt {
            pairs.append(("deleted", Format.timestamp(deletedAt) + " by " + (state.deletedBy ?? "?")))
        }
        let outputs = detail.outputs
        let outputLines =
            outputs.isEmpty
            ? (state.encrypted ? " (hidden: encrypted)" : " none")
            : "\n"
                + outputs.map { "  \($0)" }
                .joined(separator: "\n")
        return Format.fields(pairs) + "\noutputs:" + outputLines
    }

    /// A lock in one line, without the word "lock": its ID, then the operation and holder as
    /// Terraform sent them and the user who took it: `5c1d (apply by me@host, taken by alice 3m12s ago)`.
    static func lockHolder(_ lock: Lock) -> String {
        let operation = lock.operation.isEmpty ? "" : Render.operation(lock.operation)
        let holder = [operation, lock.who.isEmpty ? "" : "by \(lock.who)"].filter { !$0.isEmpty }
        let taken = "taken by \(lock.acquiredBy) \(Format.age(seconds: Int(lock.ageSeconds))) ago"
        return "\(lock.id) (" + (holder.isEmpty ? "" : holder.joined(separator: " ") + ", ") + taken + ")"
    }

    /// `locks`: one row per held lock.
    static func locks(_ entries: [LockList.Entry]) -> String {
        guard !entries.isEmpty else { return "No locks held." }
        return Format.table(
            ["STATE", "LOCK ID", "WHO", "OPERATION", "AGE", "ACQUIRED BY"],
            entries.map { entry in
                [
                    entry.state, entry.lock.id, entry.lock.who.isEmpty ? "-" : entry.lock.who,
                    Render.operation(entry.lock.operation), Format.age(seconds: Int(entry.lock.ageSeconds)),
                    entry.lock.acquiredBy,
                ]
            })
    }

    /// `OperationTypeApply` → `apply`; empty → `-`.
    static func operation(_ operation: String) -> String {
        guard !operation.isEmpty else { return "-" }
        let prefix = "OperationType"
        return operation.hasPrefix(prefix) ? operation.dropFirst(prefix.count).lowercased() : operation
    }

    /// `text` with every `OperationTypeApply`-style word in the short form `apply`, as in the
    /// server's audit details (`OperationTypeApply by ci@runner`).
    static func operations(in text: String) -> String {
        let prefix = "OperationType"
        var result = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: prefix) {
            result += rest[..<range.lowerBound]
            let word = rest[range.upperBound...].prefix { $0.isLetter }
            result += word.isEmpty ? prefix : word.lowercased()
            rest = rest[range.upperBound...].dropFirst(word.count)
        }
        return result + rest
    }

    /// `unlock`: one line.
    static func unlocked(_ result: ForceUnlockResult, name: String) -> String {
        guard let lock = result.lock else { return "\(name) was not locked." }
        return "Force-unlocked \(name): removed lock \(Render.lockHolder(lock))."
    }

    /// `versions`: newest first.
    static func versions(_ versions: [Version]) -> String {
        guard !versions.isEmpty else { return "No versions." }
        return Format.table(
            ["VERSION", "SERIAL", "SIZE", "CREATED", "BY", "NOTE"],
            versions.map { version in
                var notes: [String] = []
                if version.current { notes.append("current") }
                if let origin = version.rollbackOf { notes.append("rollback of \(origin)") }
                if version.encrypted { notes.append("encrypted") }
                if version.purgedAt != nil {
                    notes.append(
                        "purged" + (version.purgedBy.map { " by \($0)" } ?? "")
                            + (version.purgeReason.map { ": \($0)" } ?? ""))
                }
                return [
                    String(version.number), String(version.serial), Format.size(Int(version.size)),
                    Format.timestamp(version.createdAt), version.createdBy, notes.joined(separator: ", "),
                ]
            })
    }

    /// `rollback`: one line.
    static func rolledBack(_ result: RollbackResult, name: String) -> String {
        let version = result.version
        return "Rolled back \(name) to version \(version.rollbackOf.map(String.init) ?? "?"): "
            + "new version \(version.number), serial \(version.serial)."
    }

    /// `purge`: one line naming who purged the version and when, from the answer (for a version
    /// purged before, the earlier purge).
    static func purged(_ version: Version, name: String) -> String {
        guard let purgedAt = version.purgedAt else { return "Purged version \(version.number) of \(name)." }
        return
            "Purged version \(version.number) of \(name) (by \(version.purgedBy ?? "?") at \(Format.timestamp(purgedAt))"
            + (version.purgeReason.map { "; reason: \($0)" } ?? "") + ")."
    }

    /// `restore`: one line with the restored state's ID, version and serial.
    static func restored(_ detail: StateDetail) -> String {
        let state = detail.summary
        let current =
            state.version.map { "version \($0), serial \(Format.optional(state.serial))" } ?? "no version yet"
        return "Restored \(state.name) (state ID \(state.id)): \(current)."
    }

    /// `diff`: `+`, `-` and `~` lines for resources, then for outputs, with changed values as
    /// `before → after`.
    static func diff(_ diff: Diff, name: String) -> String {
        var lines = ["\(name): version \(diff.from) → \(diff.to)"]
        lines += diff.resources.added.map { "+ \($0)" }
        lines += diff.resources.removed.map { "- \($0)" }
        for resource in diff.resources.changed {
            lines.append("~ \(resource.address)")
            lines += resource.attributes.map { "    \($0.path): \($0.before.rendered) → \($0.after.rendered)" }
        }
        lines += diff.outputs.added.map { "+ output \($0)" }
        lines += diff.outputs.removed.map { "- output \($0)" }
        lines += diff.outputs.changed.map {
            "~ output \($0.name): \($0.before.rendered) → \($0.after.rendered)"
        }
        if diff.truncated {
            lines.append(
                "… more changes not shown: the diff reached the server's size limit. "
                    + "Compare versions closer together, or download both.")
        } else if lines.count == 1 {
            lines.append("No changes.")
        }
        return lines.joined(separator: "\n")
    }

    /// `audit`: oldest first.
    static func audit(_ events: [AuditEvent]) -> String {
        guard !events.isEmpty else { return "No audit events." }
        return Format.table(
            ["TIME", "ACTION", "STATE", "VERSION", "USER", "ADDRESS", "LOCK ID", "REASON/DETAIL"],
            events.map { event in
                [
                    Format.timestamp(event.at), event.action, event.state ?? "-", Format.optional(event.version),
                    event.user,
                    Format.optional(event.address), event.lockID.map(Format.shortID) ?? "-",
                    [event.reason, event.detail.map(Render.operations(in:))].compactMap { $0 }.joined(separator: "; "),
                ]
            })
    }

    /// `token list`: by owner then name.
    static func tokens(_ tokens: [Token]) -> String {
        guard !tokens.isEmpty else { return "No tokens." }
        return Format.table(
            ["ID", "NAME", "OWNER", "GRANTS", "CREATED", "EXPIRES", "LAST USED", "S3 ACCESS KEY"],
            tokens.map { token in
                [
                    token.id, token.name, token.owner,
                    token.grants.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                    Format.timestamp(token.createdAt), Format.timestamp(token.expiresAt),
                    token.lastUsedAt.map(Format.timestamp) ?? "never", token.accessKeyID ?? "-",
                ]
            })
    }
}

extension JSONValue {
    /// Compact JSON with sorted keys; the server's `"(sensitive)"` marker shows bare.
    var rendered: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string("(sensitive)"): "(sensitive)"
        case .string(let value): jsonStringLiteral(value)
        case .array(let values): "[" + values.map(\.rendered).joined(separator: ",") + "]"
        case .object(let members):
            "{"
                + members.sorted { $0.key < $1.key }.map { jsonStringLiteral($0.key) + ":" + $0.value.rendered }
                .joined(separator: ",") + "}"
        }
    }
}
