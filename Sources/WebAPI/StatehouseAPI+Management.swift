import Application
import Domain
import HTTPServer
import SystemSupport

extension StatehouseAPI {
    /// Answers one management request.
    func serve(_ route: ManagementRoute, _ request: Request, _ caller: Caller) -> Response {
        let method = request.method == "HEAD" ? "GET" : request.method
        guard route.allowedMethods.contains(method) else {
            return .methodNotAllowed(allowed: route.allowedMethods)
        }
        // A browser can send a form cross-site with the user's cached Basic credentials; forms
        // cannot send application/json without a CORS preflight, so changes require it.
        if method != "GET", let type = request.headers["Content-Type"],
            type.split(separator: ";").first?.trimmingSpaces().lowercased() != "application/json"
        {
            return .error(HTTPStatus(code: 415), "send the body as Content-Type: application/json, not \(type)")
        }
        let allowed = route.queryParameters
        if let unknown = request.head.target.query.map(\.name).first(where: { !allowed.contains($0) }) {
            let known = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
            return .error(.badRequest, "unknown query parameter \"\(unknown)\"; this route takes \(known)")
        }
        do {
            var response = try self.answer(route.resource, method, request, caller)
            if let state = route.resource.stateName { response.logMetadata["state"] = .string(state) }
            return response
        } catch {
            guard case .locked(let lock) = error.kind else { return self.failure(error, request) }
            var response = Response.json(
                .conflict,
                JSON.object([("error", JSON.string(error.message)), ("lock", JSON.lock(lock, now: self.clock.now()))]))
            response.logMetadata["reason"] = .string(error.message)
            return response
        }
    }

    private func answer(_ resource: ManagementRoute.Resource, _ method: String, _ request: Request, _ caller: Caller)
        throws(ApplicationError) -> Response
    {
        let query = QueryReader(request)
        let useCases = self.useCases
        switch resource {
        case .states:
            var stateQuery = StateQuery(
                prefix: query.string("prefix"), deleted: try query.bool("deleted") ?? false,
                limit: try query.limit())
            stateQuery.after = try query.cursor("cursor")
            let page = try useCases.listStates.execute(stateQuery, as: caller)
            let now = self.clock.now()
            return .json(
                .ok,
                JSON.object([
                    ("states", JSON.array(page.entries.map { JSON.summary($0, now: now) })),
                    ("next_cursor", page.next.map { JSON.string(Cursor.encode($0)) } ?? "null"),
                ]))
        case .state(let name):
            let details = try useCases.showState.execute(try stateName(name), as: caller)
            return .json(.ok, JSON.details(details, now: self.clock.now()))
        case .locks:
            let olderThan = try query.duration("older_than")
            let locked = try useCases.listLocks.execute(olderThan: olderThan, as: caller)
            let now = self.clock.now()
            let locks = locked.compactMap { state in
                state.lock.map {
                    JSON.object([("state", JSON.string(state.name.rawValue)), ("lock", JSON.lock($0, now: now))])
                }
            }
            return .json(.ok, JSON.object([("locks", JSON.array(locks))]))
        case .lock(let name):
            let body = try BodyReader(request.body, allowed: ["id", "reason"])
            let released = try useCases.forceUnlock.execute(
                try stateName(name), expectedID: try body.string("id"), reason: try body.string("reason"), as: caller)
            guard let released else { return .json(.ok, JSON.object([("status", JSON.string("not locked"))])) }
            self.metrics.forceUnlocks.increment()
            request.logger.notice(
                "force-unlock",
                metadata: [
                    "state": .string(name), "user": .string(caller.principal.name),
                    "lock.id": .string(released.info.id), "lock.who": .string(released.info.who),
                ])
            return .json(
                .ok,
                JSON.object([
                    ("status", JSON.string("force-unlocked")), ("lock", JSON.lock(released, now: self.clock.now())),
                ]))
        case .versions(let name):
            let page = try useCases.listVersions.execute(
                try stateName(name), before: try query.integer("before"), limit: try query.limit(), as: caller)
            return .json(
                .ok,
                JSON.object([
                    ("versions", JSON.array(page.versions.map { JSON.version($0, current: page.current) })),
                    ("next_before", JSON.number(page.nextBefore)),
                ]))
        case .version(let name, let number) where method == "GET":
            let gzip = acceptsGzip(request.headers)
            let content = try useCases.read.execute(
                try stateName(name), version: number, as: caller, encoding: gzip ? .gzip : .identity)
            var headers: HTTPHeaders = [
                "Content-Type": "application/json",
                "Content-MD5": Base64.encode(content.version.md5),
                "Vary": "Accept-Encoding",
                "X-Statehouse-Version": String(content.version.number),
                "X-Statehouse-Serial": String(content.version.serial),
            ]
            if gzip { headers.add(name: "Content-Encoding", value: "gzip") }
            return Response(status: .ok, headers: headers, body: content.body)
        case .version(let name, let number):
            let body = try BodyReader(request.body, allowed: ["reason"])
            let state = try stateName(name)
            let record = try useCases.purgeVersion.execute(
                state, version: number, reason: try body.string("reason"), as: caller)
            return .json(.ok, JSON.version(record, current: nil))
        case .rollback(let name):
            let body = try BodyReader(request.body, allowed: ["version", "reason"])
            guard let number = try body.integer("version") else {
                throw ApplicationError(.invalidInput, "the body needs \"version\": the version number to roll back to")
            }
            let record = try useCases.rollback.execute(
                try stateName(name), to: number, reason: try body.string("reason"), as: caller)
            return .json(
                .ok,
                JSON.object([
                    ("status", JSON.string("rolled back")), ("version", JSON.version(record, current: record.number)),
                ]))
        case .diff(let name):
            let result = try useCases.diff.execute(
                try stateName(name), from: try query.integer("from"), to: try query.integer("to"), as: caller)
            return .json(.ok, JSON.diff(result))
        case .restore(let name):
            let body = try BodyReader(request.body, allowed: ["id"])
            let details = try useCases.restore.execute(try stateName(name), id: try body.integer("id"), as: caller)
            return .json(.ok, JSON.details(details, now: self.clock.now()))
        case .audit:
            var auditQuery = AuditQuery(limit: try query.limit())
            auditQuery.state = try query.string("state").map(stateName)
            auditQuery.since = try query.timestamp("since")
            auditQuery.after = try query.integer("after")
            let page = try useCases.audit.execute(auditQuery, as: caller)
            return .json(
                .ok,
                JSON.object([
                    ("events", JSON.array(page.events.map(JSON.event))), ("next_after", JSON.number(page.nextAfter)),
                ]))
        }
    }
}

extension ManagementRoute.Resource {
    /// The state the resource is about, for the access log.
    var stateName: String? {
        switch self {
        case .state(let name), .lock(let name), .versions(let name), .version(let name, _), .rollback(let name),
            .diff(let name), .restore(let name):
            name
        case .states, .locks, .audit: nil
        }
    }
}

/// A validated state name, or `invalidInput`.
private func stateName(_ text: String) throws(ApplicationError) -> StateName {
    do {
        return try StateName(text)
    } catch {
        throw ApplicationError(.invalidInput, error.description)
    }
}

/// Query parameters, checked: a malformed value is a 400 naming the parameter.
struct QueryReader {
    let request: Request

    init(_ request: Request) { self.request = request }

    func string(_ name: String) -> String? {
        self.request.queryValue(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    func integer(_ name: String) throws(ApplicationError) -> Int64? {
        guard let text = self.string(name) else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw ApplicationError(.invalidInput, "\(name) must be a whole number, not \(text)")
        }
        return value
    }

    func bool(_ name: String) throws(ApplicationError) -> Bool? {
        switch self.string(name) {
        case nil: return nil
        case "true": return true
        case "false": return false
        case let text?: throw ApplicationError(.invalidInput, "\(name) must be true or false, not \(text)")
        }
    }

    /// `limit`: 1…1000, 100 when absent.
    func limit() throws(ApplicationError) -> Int {
        guard let value = try self.integer("limit") else { return 100 }
        guard (1...1000).contains(value) else {
            throw ApplicationError(.invalidInput, "limit must be between 1 and 1000")
        }
        return Int(value)
    }

    func duration(_ name: String) throws(ApplicationError) -> Int64? {
        guard let text = self.string(name) else { return nil }
        do {
            return try Timestamp.parseDuration(text)
        } catch {
            throw ApplicationError(.invalidInput, "\(name): \(error.description)")
        }
    }

    func timestamp(_ name: String) throws(ApplicationError) -> Timestamp? {
        guard let text = self.string(name) else { return nil }
        do {
            return try Timestamp(rfc3339: text)
        } catch {
            throw ApplicationError(.invalidInput, "\(name): \(error.description)")
        }
    }

    func cursor(_ name: String) throws(ApplicationError) -> StatePosition? {
        guard let text = self.string(name) else { return nil }
        guard let position = Cursor.decode(text) else {
            throw ApplicationError(.invalidInput, "\(name) is not a cursor this server gave out")
        }
        return position
    }
}

/// The opaque `next_cursor` of state listings: hexadecimal of `<id>:<name>`.
enum Cursor {
    static func encode(_ position: StatePosition) -> String {
        Hex.encode(Array("\(position.id):\(position.name)".utf8))
    }

    static func decode(_ text: String) -> StatePosition? {
        guard let bytes = Hex.decode(text), let text = String(validating: bytes, as: UTF8.self),
            let colon = text.firstIndex(of: ":"),
            let id = Int64(text[..<colon])
        else { return nil }
        return StatePosition(name: String(text[text.index(after: colon)...]), id: id)
    }
}

/// A small JSON request body: an object with only the allowed keys. Empty means `{}`.
struct BodyReader {
    let members: [String: JSONValue]

    init(_ body: [UInt8], allowed: Set<String>) throws(ApplicationError) {
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            self.members = [:]
            return
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: body)
        } catch {
            throw ApplicationError(.invalidInput, "the body is not JSON: \(error.description)")
        }
        guard case .object(let members) = value else {
            throw ApplicationError(.invalidInput, "the body must be a JSON object")
        }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ApplicationError(
                .invalidInput,
                "unknown field \"\(unknown)\"; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        self.members = members
    }

    func string(_ key: String) throws(ApplicationError) -> String? {
        switch self.members[key] {
        case nil, .null?: return nil
        case .string(let text)?:
            guard text.utf8.count <= 1000, !text.utf8.contains(0) else {
                throw ApplicationError(.invalidInput, "\"\(key)\" must be at most 1000 bytes without NUL")
            }
            return text
        default: throw ApplicationError(.invalidInput, "\"\(key)\" must be a string")
        }
    }

    func integer(_ key: String) throws(ApplicationError) -> Int64? {
        switch self.members[key] {
        case nil, .null?: return nil
        case .number(let text)?:
            guard let value = Int64(text), value >= 0 else { fallthrough }
            return value
        default: throw ApplicationError(.invalidInput, "\"\(key)\" must be a whole number")
        }
    }
}
