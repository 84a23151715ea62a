import Application
import Domain
import HTTPServer
import SystemSupport

extension WebUI {
    /// States on a page.
    static let statesPerPage = 100

    /// `/ui/states`: the states the user may read, by name, a page at a time.
    func statesPage(_ page: PageContext, _ request: Request) throws(ApplicationError) -> Response {
        let prefix = nonEmpty(request.queryValue("prefix"))
        let search = nonEmpty(request.queryValue("q"))
        let deleted = request.queryValue("deleted") == "1"
        var query = StateQuery(prefix: prefix, deleted: deleted, limit: Self.statesPerPage)
        query.contains = search
        if let cursor = request.queryValue("after") {
            guard let position = StateCursor.decode(cursor) else {
                throw ApplicationError(.invalidInput, "the page link is damaged; start from the first page")
            }
            query.after = position
        }
        let found = try self.useCases.listStates.execute(query, as: page.caller)
        let now = self.clock.now()
        let rows: [View] = found.entries.map { entry in
            let state = entry.state
            var row: [String: View] = [
                "name": .text(state.name.rawValue), "href": .text(UIRoute.statePath(state.name.rawValue)),
                "serial": .text(state.latest.map { String($0.serial) } ?? "–"),
                "resources": .text(state.latest?.metadata.resourceCount.map(String.init) ?? "–"),
                "size": .text(state.latest.map { Format.size($0.size) } ?? "–"),
            ]
            if let latest = state.latest { row["written"] = self.written(latest.createdBy, latest.createdAt, now: now) }
            if let lock = state.lock, entry.deletedAt == nil {
                row["lock"] = [
                    "who": .text(lock.info.who),
                    "age": .text(Format.duration(now.microseconds - lock.acquiredAt.microseconds)),
                ]
            }
            if let deletedAt = entry.deletedAt {
                var deletion: [String: View] = [
                    "by": .text(entry.deletedBy ?? "–"), "at": .text(Format.time(deletedAt)),
                    "ago": .text(Format.ago(deletedAt, now: now)),
                ]
                if self.allows(page, .admin, state.name, changing: true) {
                    deletion["restore"] = [
                        "action": .text(UIRoute.statePath(state.name.rawValue) + "/restore"),
                        "id": .text(String(state.id)),
                    ]
                }
                row["deletion"] = .object(deletion)
            }
            return .object(row)
        }
        var view = self.base(deleted ? "Deleted states" : "States", page, nav: "states")
        view["states"] = .list(rows)
        view["prefix"] = .text(prefix ?? "")
        view["q"] = .text(search ?? "")
        view["deleted"] = .flag(deleted)
        view["filtered"] = .flag(prefix != nil || search != nil)
        let shown = rows.count == 1 ? "1 state" : "\(rows.count) states"
        view["summary"] = .text(found.next == nil && query.after == nil ? shown : "\(shown) on this page")
        var parameters: [(String, String)] = []
        if let prefix { parameters.append(("prefix", prefix)) }
        if let search { parameters.append(("q", search)) }
        if deleted { parameters.append(("deleted", "1")) }
        if let next = found.next {
            view["next"] = .text(link("/ui/states", parameters + [("after", StateCursor.encode(next))]))
        }
        if query.after != nil { view["first"] = .text(link("/ui/states", parameters)) }
        return self.html(.ok, "states", view, page)
    }

    /// `/ui/locks`: every lock the user may see, oldest first.
    func locksPage(_ page: PageContext, _ request: Request) throws(ApplicationError) -> Response {
        var after: LockPosition? = nil
        if let cursor = request.queryValue("after") {
            guard let position = StateCursor.decodeLock(cursor) else {
                throw ApplicationError(.invalidInput, "the page link is damaged; start from the first page")
            }
            after = position
        }
        let found = try self.useCases.listLocks.execute(olderThan: nil, after: after, limit: 100, as: page.caller)
        let now = self.clock.now()
        let rows: [View] = found.states.compactMap { state in
            guard let lock = state.lock else { return nil }
            return [
                "name": .text(state.name.rawValue), "href": .text(UIRoute.statePath(state.name.rawValue)),
                "age": .text(Format.duration(now.microseconds - lock.acquiredAt.microseconds)),
                "since": .text(Format.time(lock.acquiredAt)), "stale": .flag(self.isStale(lock.acquiredAt, now: now)),
                "who": .text(lock.info.who), "operation": .text(lock.info.operation), "id": .text(lock.info.id),
                "takenBy": .text(lock.acquiredBy),
            ]
        }
        var view = self.base("Locks", page, nav: "locks")
        view["locks"] = .list(rows)
        view["staleAfter"] = .text(Format.duration(self.microseconds(self.settings.staleLockAfter)))
        if let next = found.next {
            view["next"] = .text(link("/ui/locks", [("after", StateCursor.encode(next))]))
        }
        return self.html(.ok, "locks", view, page)
    }

    /// `/ui/audit`: the audit log, newest first, filtered by state, user, action and time.
    func auditPage(_ page: PageContext, _ request: Request) throws(ApplicationError) -> Response {
        var query = AuditQuery(limit: 100)
        query.newestFirst = true
        let stateText = nonEmpty(request.queryValue("state"))
        query.state = try stateText.map(stateName)
        let user = nonEmpty(request.queryValue("user"))
        query.user = user
        let actionText = nonEmpty(request.queryValue("action"))
        if let actionText {
            guard let action = AuditEvent.Action(rawValue: actionText) else {
                throw ApplicationError(.invalidInput, "there is no action \"\(actionText)\"")
            }
            query.action = action
        }
        let sinceText = nonEmpty(request.queryValue("since"))
        if let sinceText {
            do {
                query.since = try Timestamp(rfc3339: sinceText)
            } catch {
                throw ApplicationError(.invalidInput, "since: \(error.description)")
            }
        }
        if let after = request.queryValue("after") {
            guard let id = Int64(after) else { throw ApplicationError(.invalidInput, "the page link is damaged") }
            query.after = id
        }
        let found = try self.useCases.audit.execute(query, as: page.caller)
        let rows: [View] = found.events.map { event in
            var row: [String: View] = [
                "when": .text(Format.time(event.at)), "at": .text(event.at.description),
                "action": .text(event.action.rawValue), "version": .text(event.version.map(String.init) ?? ""),
                "user": .text(event.user), "reason": .text(event.reason ?? ""), "address": .text(event.address ?? ""),
            ]
            if let state = event.state {
                row["state"] = ["name": .text(state.rawValue), "href": .text(UIRoute.statePath(state.rawValue))]
            }
            if let detail = event.detail { row["detail"] = .text(detail) }
            if let lockID = event.lockID { row["lockID"] = .text(lockID) }
            return .object(row)
        }
        var view = self.base("Audit log", page, nav: "audit")
        view["events"] = .list(rows)
        view["filter"] = ["state": .text(stateText ?? ""), "since": .text(sinceText ?? ""), "user": .text(user ?? "")]
        view["actions"] = .list(
            AuditEvent.Action.allCases.map {
                ["name": .text($0.rawValue), "selected": .flag($0 == query.action)]
            })
        var parameters: [(String, String)] = []
        if let stateText { parameters.append(("state", stateText)) }
        if let user { parameters.append(("user", user)) }
        if let actionText { parameters.append(("action", actionText)) }
        if let sinceText { parameters.append(("since", sinceText)) }
        if let next = found.nextAfter {
            view["next"] = .text(link("/ui/audit", parameters + [("after", String(next))]))
        }
        if query.after != nil { view["first"] = .text(link("/ui/audit", parameters)) }
        return self.html(.ok, "audit", view, page)
    }

    func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

/// `path?name=value&…`, percent-encoded.
func link(_ path: String, _ parameters: [(String, String)]) -> String {
    guard !parameters.isEmpty else { return path }
    return path + "?" + parameters.map { urlEncoded($0.0) + "=" + urlEncoded($0.1) }.joined(separator: "&")
}

/// The text, or `nil` when it is missing or only spaces.
func nonEmpty(_ text: String?) -> String? {
    guard let text, text.contains(where: { $0 != " " }) else { return nil }
    return text
}

/// Page links' positions, as opaque text.
enum StateCursor {
    static func encode(_ position: StatePosition) -> String {
        Hex.encode(Array("\(position.id):\(position.name)".utf8))
    }

    static func decode(_ text: String) -> StatePosition? {
        guard let bytes = Hex.decode(text), let text = String(validating: bytes, as: UTF8.self),
            let colon = text.firstIndex(of: ":"), let id = Int64(text[..<colon])
        else { return nil }
        return StatePosition(name: String(text[text.index(after: colon)...]), id: id)
    }

    static func encode(_ position: LockPosition) -> String {
        "\(position.acquiredAt.microseconds).\(position.id)"
    }

    static func decodeLock(_ text: String) -> LockPosition? {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let microseconds = Int64(parts[0]), let id = Int64(parts[1]) else { return nil }
        return LockPosition(acquiredAt: Timestamp(microseconds: microseconds), id: id)
    }
}
