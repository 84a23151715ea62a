import APITypes
import Application
import Domain
import HTTPServer
import SystemSupport

extension StatehouseAPI {
    /// A management request: its method, body type, query parameters and the access it needs on
    /// its state are settled from the head; a change may bring a small JSON body.
    func admit(_ route: ManagementRoute, _ request: IncomingRequest, _ caller: Caller) -> Admission {
        let method = request.method == "HEAD" ? "GET" : request.method
        guard route.allowedMethods.contains(method) else {
            return .refuse(Response.methodNotAllowed(allowed: route.allowedMethods).labelled("api"))
        }
        // A browser can send a form, or a no-cors fetch without a Content-Type, cross-site with the
        // user's cached Basic credentials; neither can send application/json without a CORS
        // preflight, so changes require it: always on POST (the one method such requests may
        // use), whenever a body is typed on the others.
        let type = request.headers["Content-Type"]
        if method != "GET", type != nil || method == "POST",
            type?.split(separator: ";").first?.trimmingSpaces().lowercased() != "application/json"
        {
            let sent = type.map { "not \($0)" } ?? "even without a body"
            return .refuse(
                Response.error(HTTPStatus(code: 415), "send Content-Type: application/json, \(sent)").labelled("api"))
        }
        let allowed = route.queryParameters
        if let unknown = request.head.target.query.map(\.name).first(where: { !allowed.contains($0) }) {
            let known = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
            return .refuse(
                Response.error(.badRequest, "unknown query parameter \"\(unknown)\"; this route takes \(known)")
                    .labelled("api"))
        }
        if let state = route.resource.stateName, let name = try? StateName(state) {
            do {
                try caller.principal.require(
                    route.resource.access(method), on: name, changing: route.resource.changes(method))
            } catch {
                return .refuse(self.failure(error, request.logger, requestID: request.id).labelled("api"))
            }
        }
        // A diff or a rollback holds whole versions in memory: a permit, or 503 before any work.
        var permit: HeavyWork.Permit? = nil
        if let operation = route.resource.heavyOperation {
            guard let taken = self.useCases.heavyWork.permit(for: operation) else {
                let busy = ApplicationError(.busy, HeavyWork.busyMessage)
                return .refuse(self.failure(busy, request.logger, requestID: request.id).labelled("api"))
            }
            permit = taken
        }
        return .accept(maxBodyBytes: method == "GET" ? Self.smallBodyBytes : Self.documentBodyBytes) {
            [permit] request in
            // Given back once answered; a request abandoned before then gives it back as it is dropped.
            defer { permit?.release() }
            return self.serve(route, method, request, caller).labelled("api")
        }
    }

    /// Answers one admitted management request.
    private func serve(_ route: ManagementRoute, _ method: String, _ request: Request, _ caller: Caller) -> Response {
        do {
            var response = try self.answer(route.resource, method, request, caller)
            if let state = route.resource.stateName { response.logMetadata["state"] = .string(state) }
            return response
        } catch {
            guard case .locked(let lock) = error.kind else {
                return self.failure(error, request.logger, requestID: request.id)
            }
            var response = Response.document(
                .conflict, ErrorBody(error: error.message, lock: APITypes.Lock(lock, now: self.clock.now())))
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
            stateQuery.contains = query.string("contains")
            stateQuery.after = try query.cursor("cursor")
            let page = try useCases.listStates.execute(stateQuery, as: caller)
            let now = self.clock.now()
            return .document(
                .ok,
                StateList(
                    states: page.entries.map { StateSummary($0, now: now) }, nextCursor: page.next.map(\.cursor)))
        case .state(let name):
            let details = try useCases.showState.execute(try stateName(name), as: caller)
            return .document(.ok, StateDetail(details, now: self.clock.now()))
        case .locks:
            let page = try useCases.listLocks.execute(
                olderThan: try query.duration("older_than"), after: try query.lockCursor("cursor"),
                limit: try query.limit(), as: caller)
            let now = self.clock.now()
            return .document(
                .ok,
                LockList(
                    locks: page.states.compactMap { state in
                        state.lock.map { LockList.Entry(state: state.name.rawValue, lock: APITypes.Lock($0, now: now)) }
                    },
                    nextCursor: page.next.map(\.cursor)))
        case .lock(let name):
            let body = try RequestBody.decode(ForceUnlockRequest.self, from: request.body)
            let released = try useCases.forceUnlock.execute(
                try stateName(name), expectedID: body.id, reason: body.reason, as: caller)
            guard let released else { return .document(.ok, ForceUnlockResult(status: "not locked", lock: nil)) }
            self.metrics.outcomes.forceUnlocks.increment()
            request.logger.notice(
                "force-unlock",
                metadata: [
                    "state": .string(name), "user": .string(caller.principal.name),
                    "lock.id": .string(released.info.id), "lock.who": .string(released.info.who),
                ])
            return .document(
                .ok, ForceUnlockResult(status: "force-unlocked", lock: APITypes.Lock(released, now: self.clock.now())))
        case .versions(let name):
            let page = try useCases.listVersions.execute(
                try stateName(name), before: try query.integer("before"), limit: try query.limit(), as: caller)
            return .document(
                .ok,
                VersionList(
                    versions: page.versions.map { APITypes.Version($0, current: page.current) },
                    nextBefore: page.nextBefore))
        case .version(let name, let number) where method == "GET":
            let gzip = request.headers.acceptsGzip
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
            let body = try RequestBody.decode(PurgeRequest.self, from: request.body)
            let record = try useCases.purgeVersion.execute(
                try stateName(name), version: number, reason: body.reason, as: caller)
            return .document(.ok, APITypes.Version(record, current: nil))
        case .rollback(let name):
            let body = try RequestBody.decode(RollbackRequest.self, from: request.body)
            let record = try useCases.rollback.execute(
                try stateName(name), to: body.version, reason: body.reason, as: caller)
            return .document(
                .ok, RollbackResult(status: "rolled back", version: APITypes.Version(record, current: record.number)))
        case .diff(let name):
            let result = try useCases.diff.execute(
                try stateName(name), from: try query.integer("from"), to: try query.integer("to"), as: caller)
            return .document(.ok, Diff(result))
        case .outputs(let name):
            return .document(.ok, OutputList(try useCases.outputs.execute(try stateName(name), as: caller)))
        case .restore(let name):
            let body = try RequestBody.decode(RestoreRequest.self, from: request.body)
            let details = try useCases.restore.execute(try stateName(name), id: body.id, as: caller)
            return .document(.ok, StateDetail(details, now: self.clock.now()))
        case .audit:
            var auditQuery = AuditQuery(limit: try query.limit())
            auditQuery.state = try query.string("state").map(stateName)
            auditQuery.user = query.string("user")
            auditQuery.action = try query.auditAction("action")
            auditQuery.since = try query.timestamp("since")
            auditQuery.after = try query.integer("after")
            let page = try useCases.audit.execute(auditQuery, as: caller)
            return .document(
                .ok, AuditPage(events: page.events.map(APITypes.AuditEvent.init), nextAfter: page.nextAfter))
        case .tokens where method == "GET":
            let tokens = try useCases.listTokens.execute(as: caller)
            return .document(.ok, TokenList(tokens: tokens.map(APITypes.Token.init)))
        case .tokens:
            let body = try RequestBody.decode(CreateTokenRequest.self, from: request.body)
            let created = try useCases.createToken.execute(
                name: body.name, grants: try grants(body.grants), expiresIn: body.expiresIn, s3: body.s3 ?? false,
                as: caller)
            request.logger.notice(
                "token created",
                metadata: [
                    "token.id": .string(created.token.id), "token.name": .string(created.token.name),
                    "token.s3": .stringConvertible(created.accessKeyID != nil), "user": .string(caller.principal.name),
                ])
            let details = APITypes.Token(created.token)
            let document =
                if let accessKeyID = created.accessKeyID, let secretAccessKey = created.secretAccessKey {
                    CreatedToken(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, details: details)
                } else {
                    CreatedToken(token: created.secret, details: details)
                }
            var response = Response.document(.created, document)
            // The secret, once: no cache along the way may keep it.
            response.headers.add(name: "Cache-Control", value: "no-store")
            return response
        case .token(let id):
            let revoked = try useCases.revokeToken.execute(id: id, as: caller)
            request.logger.notice(
                "token revoked",
                metadata: [
                    "token.id": .string(revoked.id), "token.owner": .string(revoked.owner),
                    "user": .string(caller.principal.name),
                ])
            return .document(.ok, APITypes.Token(revoked))
        }
    }
}

extension ManagementRoute.Resource {
    /// The access `method` needs on the resource's state (the use case checks it again).
    func access(_ method: String) -> Access {
        switch self {
        case .lock, .restore: .admin
        case .version where method == "DELETE": .admin
        case .rollback: .write
        default: .read
        }
    }

    /// Whether the request changes the state (what a protected prefix refuses); a force-unlock
    /// does not.
    func changes(_ method: String) -> Bool {
        switch self {
        case .rollback, .restore: true
        case .version: method == "DELETE"
        default: false
        }
    }

    /// The heavy work a request for the resource is, if it is.
    var heavyOperation: HeavyWork.Operation? {
        switch self {
        case .diff: .diff
        case .rollback: .rollback
        case .outputs: .outputs
        default: nil
        }
    }

    /// The state the resource is about, for the access log.
    var stateName: String? {
        switch self {
        case .state(let name), .lock(let name), .versions(let name), .version(let name, _), .rollback(let name),
            .diff(let name), .restore(let name), .outputs(let name):
            name
        case .states, .locks, .audit, .tokens, .token: nil
        }
    }
}

/// A request's `{"prefix": "level"}` grants, by prefix; an unknown level is `invalidInput`.
private func grants(_ levels: [String: String]) throws(ApplicationError) -> [Grant] {
    var grants: [Grant] = []
    for (prefix, level) in levels.sorted(by: { $0.key < $1.key }) {
        guard let access = Access(level: level) else {
            throw ApplicationError(.invalidInput, "grant \"\(prefix)\": the level must be read, write or admin")
        }
        grants.append(Grant(prefix: prefix, access: access))
    }
    return grants
}

/// A validated state name, or `invalidInput`.
private func stateName(_ text: String) throws(ApplicationError) -> StateName {
    do {
        return try StateName(text)
    } catch {
        throw ApplicationError(.invalidInput, error.description)
    }
}
