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
            return cells + [state.lock.map { "\($0.acquiredBy) \(Format.age(seconds: $0.ageSeconds))" } ?? "-"]
        }
        return Format.table(header, rows)
    }

    /// `states show`: aligned `key: value` lines, then the output names.
    static func state(_ state: StateSummary) -> String {
        var pairs: [(String, String)] = [("name", state.name), ("id", String(state.id))]
        if let version = state.version {
            pairs.append(("version", "\(version)" + (state.versionCount.map { " (\($0) kept)" } ?? "")))
        } else {
            pairs.append(("version", "none yet"))
        }
        pairs += [
            ("serial", Format.optional(state.serial)), ("lineage", Format.optional(state.lineage)),
            ("size", state.size.map { "\(Format.size($0)) (\($0) bytes)" } ?? "-"),
            ("terraform", Format.optional(state.terraformVersion)),
            ("resources", Format.optional(state.resourceCount)), ("encrypted", state.encrypted ? "yes" : "no"),
            ("created", Format.timestamp(state.createdAt)),
            ("updated", state.updatedAt.map { Format.timestamp($0) + " by " + (state.updatedBy ?? "?") } ?? "-"),
            ("lock", state.lock.map(Render.lockHolder) ?? "none"),
        ]
        if let deletedAt = state.deletedAt {
            pairs.append(("deleted", Format.timestamp(deletedAt) + " by " + (state.deletedBy ?? "?")))
        }
        let outputs = state.outputs ?? []
        let outputLines =
            outputs.isEmpty
            ? (state.encrypted ? " (hidden: encrypted)" : " none")
            : "\n"
                + outputs.map { "  \($0)" }
                .joined(separator: "\n")
        return Format.fields(pairs) + "\noutputs:" + outputLines
    }

    /// One line about a lock: `lock 5c1… held by alice for 3m12s (OperationTypeApply, who me@host)`.
    static func lockHolder(_ lock: Lock) -> String {
        let details = [lock.operation, lock.who.isEmpty ? "" : "who \(lock.who)"].filter { !$0.isEmpty }
        return "lock \(lock.id) held by \(lock.acquiredBy) for \(Format.age(seconds: lock.ageSeconds))"
            + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
    }

    /// `locks`: one row per held lock.
    static func locks(_ entries: [LockList.Entry]) -> String {
        guard !entries.isEmpty else { return "No locks held." }
        return Format.table(
            ["STATE", "LOCK ID", "WHO", "OPERATION", "AGE", "ACQUIRED BY"],
            entries.map { entry in
                [
                    entry.state, entry.lock.id, entry.lock.who.isEmpty ? "-" : entry.lock.who,
                    Render.operation(entry.lock.operation), Format.age(seconds: entry.lock.ageSeconds),
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

    /// `unlock`: one line.
    static func unlocked(_ result: UnlockResult, name: String) -> String {
        guard let lock = result.lock else { return "\(name) was not locked." }
        return "Force-unlocked \(name): removed \(Render.lockHolder(lock))."
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
                    String(version.number), String(version.serial), Format.size(version.size),
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

    /// `diff`: `+`, `-` and `~` lines for resources, then for outputs, with changed values as
    /// `before → after`.
    static func diff(_ diff: StateDiff, name: String) -> String {
        var lines = ["\(name): version \(Format.optional(diff.from)) → \(diff.to)"]
        lines += diff.resources.added.map { "+ \($0)" }
        lines += diff.resources.removed.map { "- \($0)" }
        for resource in diff.resources.changed {
            lines.append("~ \(resource.address)")
            lines += resource.attributes.map { "    \($0.path ?? "?"): \($0.before.rendered) → \($0.after.rendered)" }
        }
        lines += diff.outputs.added.map { "+ output \($0)" }
        lines += diff.outputs.removed.map { "- output \($0)" }
        lines += diff.outputs.changed.map {
            "~ output \($0.name ?? "?"): \($0.before.rendered) → \($0.after.rendered)"
        }
        if lines.count == 1 { lines.append("No changes.") }
        return lines.joined(separator: "\n")
    }

    /// `audit`: oldest first.
    static func audit(_ events: [AuditEvent]) -> String {
        guard !events.isEmpty else { return "No audit events." }
        return Format.table(
            ["TIME", "ACTION", "STATE", "VERSION", "USER", "ADDRESS", "REASON/DETAIL"],
            events.map { event in
                [
                    Format.timestamp(event.at), event.action, event.state, Format.optional(event.version), event.user,
                    Format.optional(event.address),
                    [event.reason, event.detail].compactMap { $0 }.joined(separator: "; "),
                ]
            })
    }
}
