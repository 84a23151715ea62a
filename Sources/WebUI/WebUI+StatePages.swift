import Application
import Domain
import HTTPServer
import SystemSupport

extension WebUI {
    /// Versions on a state's page.
    static let versionsPerPage = 50

    /// `/ui/states/{name}`: the state, its lock, its versions and how to use it.
    func statePage(_ name: StateName, _ page: PageContext, _ request: Request) throws(ApplicationError) -> Response {
        let details = try self.useCases.showState.execute(name, as: page.caller)
        let before = try request.queryValue("before").map { (text) throws(ApplicationError) in
            guard let number = Int64(text) else { throw ApplicationError(.invalidInput, "the page link is damaged") }
            return number
        }
        let versions = try self.useCases.listVersions.execute(
            name, before: before, limit: Self.versionsPerPage, as: page.caller)
        let now = self.clock.now()
        let state = details.entry.state
        let path = UIRoute.statePath(name.rawValue)
        let mayWrite = self.allows(page, .write, name, changing: true)

        var view = self.base(name.rawValue, page, nav: "states")
        view["name"] = .text(name.rawValue)
        view["versionCount"] = .text(String(details.versionCount))
        if let latest = state.latest {
            view["serial"] = .text(String(latest.serial))
            view["lineage"] = .text(latest.lineage)
            view["size"] = .text(Format.size(latest.size))
            view["resources"] = .text(latest.metadata.resourceCount.map(String.init) ?? "–")
            view["terraformVersion"] = .text(latest.metadata.terraformVersion ?? "–")
            view["written"] = self.written(latest.createdBy, latest.createdAt, now: now)
        }
        view["locked"] = .text(state.lock == nil ? "false" : "true")
        if let lock = state.lock {
            view["lock"] = [
                "who": .text(lock.info.who), "operation": .text(lock.info.operation), "id": .text(lock.info.id),
                "info": .text(lock.info.info), "takenBy": .text(lock.acquiredBy),
                "since": .text(Format.time(lock.acquiredAt)),
                "age": .text(Format.duration(now.microseconds - lock.acquiredAt.microseconds)),
                "stale": .flag(self.isStale(lock.acquiredAt, now: now)),
                "canForceUnlock": .flag(self.allows(page, .admin, name, changing: false)),
            ]
        }
        view["actions"] = [
            "unlock": .text(path + "/unlock"), "diff": .text(path + "/diff"), "delete": .text(path + "/delete"),
        ]
        view["canDelete"] = .flag(self.allows(page, .admin, name, changing: true))

        let live = versions.versions.filter { $0.purge == nil }
        view["versions"] = .list(
            versions.versions.enumerated().map { index, version in
                var row: [String: View] = [
                    "number": .text(String(version.number)), "serial": .text(String(version.serial)),
                    "size": .text(Format.size(version.size)), "by": .text(version.createdBy),
                    "at": .text(Format.time(version.createdAt)), "ago": .text(Format.ago(version.createdAt, now: now)),
                    "lockID": .text(version.lockID ?? ""), "current": .flag(version.number == versions.current),
                    "download": .text(path + "/versions/\(version.number)"),
                    "fileName": .text(
                        "\(name.rawValue.split(separator: "/").joined(separator: "-"))-v\(version.number).json"),
                ]
                if let origin = version.rollbackOf { row["rollbackOf"] = .text(String(origin)) }
                if let purge = version.purge {
                    row["purged"] = .text("purged by \(purge.by) \(Format.ago(purge.at, now: now))")
                }
                if let previous = versions.versions.dropFirst(index + 1).first(where: { $0.purge == nil }),
                    version.purge == nil
                {
                    row["diffPrevious"] = .text(
                        link(path + "/diff", [("from", String(previous.number)), ("to", String(version.number))]))
                }
                if mayWrite, version.number != versions.current {
                    row["rollback"] = .text(link(path + "/rollback", [("version", String(version.number))]))
                }
                return .object(row)
            })
        if live.count >= 2 {
            view["canDiff"] = true
            view["choices"] = .list(
                live.enumerated().map { index, version in
                    [
                        "number": .text(String(version.number)), "serial": .text(String(version.serial)),
                        "from": .flag(index == 1), "to": .flag(index == 0),
                    ]
                })
        }
        if let older = versions.nextBefore { view["older"] = .text(link(path, [("before", String(older))])) }
        if before != nil { view["newer"] = .text(path) }
        view["backend"] = .text(self.backendBlock(name, request))
        self.addOutputs(name, page, request, to: &view)
        return self.html(.ok, "state", view, page)
    }

    /// The current version's outputs, or a note that says why they are not shown: reading them is
    /// heavy work, and a page never fails for want of it.
    func addOutputs(_ name: StateName, _ page: PageContext, _ request: Request, to view: inout [String: View]) {
        guard let permit = self.useCases.heavyWork.permit(for: .outputs) else {
            view["outputsNote"] = "The server is busy: reload to see the outputs."
            return
        }
        defer { permit.release() }
        let result: ShowOutputs.Result
        do {
            result = try self.useCases.showOutputs.execute(name, as: page.caller)
        } catch {
            if case .notFound = error.kind {
                view["outputsNote"] = "No version yet."
            } else if case .unprocessable = error.kind {
                view["outputsNote"] = .text(error.message)
            } else {
                view["outputsNote"] = "The outputs cannot be read just now."
                request.logger.warning("outputs not shown", metadata: ["error": .string(error.logDescription)])
            }
            return
        }
        if result.outputs.encrypted {
            view["outputsNote"] = "The state is encrypted by OpenTofu: the server cannot read its outputs."
            return
        }
        if result.outputs.outputs.isEmpty { view["outputsNote"] = "No outputs." }
        view["hasOutputs"] = .flag(!result.outputs.outputs.isEmpty)
        view["outputs"] = .list(
            result.outputs.outputs.map { output in
                [
                    "name": .text(output.name), "type": .text(output.type), "sensitive": .flag(output.sensitive),
                    "value": .text(output.value ?? ""), "truncated": .flag(output.truncated),
                ]
            })
    }

    /// The `backend "http"` block for the state at this server's address, as the browser reached it.
    func backendBlock(_ name: StateName, _ request: Request) -> String {
        let scheme = self.settings.secureCookies ? "https" : "http"
        let host = request.headers["Host"] ?? "localhost"
        let address = "\(scheme)://\(host)/state/\(urlEncoded(name.rawValue, keepSlash: true))"
        return """
            terraform {
              backend "http" {
                address        = "\(address)"
                lock_address   = "\(address)"
                unlock_address = "\(address)"
              }
            }
            """
    }

    /// `/ui/states/{name}/versions/{number}`: the version's JSON, as the client wrote it.
    func download(_ name: StateName, _ number: Int64, _ page: PageContext, _ request: Request) throws(ApplicationError)
        -> Response
    {
        let gzip = request.headers.acceptsGzip
        let content = try self.useCases.read.execute(
            name, version: number, as: page.caller, encoding: gzip ? .gzip : .identity)
        var response = Response(
            status: .ok, headers: ["Content-Type": "application/json", "Vary": "Accept-Encoding"], body: content.body)
        if gzip { response.headers.add(name: "Content-Encoding", value: "gzip") }
        return response
    }

    /// `/ui/states/{name}/diff?from=&to=`: what changed between two versions.
    func diffPage(_ name: StateName, _ page: PageContext, _ request: Request) throws(ApplicationError) -> Response {
        let from = try integer(request.queryValue("from"), "from")
        let to = try integer(request.queryValue("to"), "to")
        let result = try self.useCases.diff.execute(name, from: from, to: to, as: page.caller)
        let diff = result.diff
        var resources: [View] = diff.addedResources.map { ["address": .text($0), "change": "added"] }
        resources += diff.removedResources.map { ["address": .text($0), "change": "removed"] }
        resources += diff.changedResources.map { change in
            [
                "address": .text(change.address), "change": "changed", "hasAttributes": true,
                "attributes": .list(
                    change.attributes.map {
                        ["path": .text($0.path), "before": .text(shown($0.before)), "after": .text(shown($0.after))]
                    }),
            ]
        }
        var outputs: [View] = diff.addedOutputs.map {
            ["name": .text($0), "change": "added", "before": "", "after": ""]
        }
        outputs += diff.removedOutputs.map { ["name": .text($0), "change": "removed", "before": "", "after": ""] }
        outputs += diff.changedOutputs.map {
            [
                "name": .text($0.name), "change": "changed", "before": .text(shown($0.before)),
                "after": .text(shown($0.after)),
            ]
        }
        var view = self.base("\(name): \(result.from.number) → \(result.to.number)", page, nav: "states")
        view["name"] = .text(name.rawValue)
        view["from"] = .text(String(result.from.number))
        view["to"] = .text(String(result.to.number))
        view["back"] = .text(UIRoute.statePath(name.rawValue))
        view["resources"] = .list(resources)
        view["outputs"] = .list(outputs)
        view["hasOutputs"] = .flag(!outputs.isEmpty)
        view["truncated"] = .flag(diff.truncated)
        view["summary"] = .text(summary(diff))
        return self.html(.ok, "diff", view, page)
    }

    /// `/ui/states/{name}/rollback?version=N`: what a rollback would do, and the form that does it.
    func rollbackPage(_ name: StateName, _ page: PageContext, _ request: Request) throws(ApplicationError) -> Response {
        guard let number = try integer(request.queryValue("version"), "version") else {
            throw ApplicationError(.invalidInput, "say which version to roll back to")
        }
        try page.caller.principal.require(.write, toChange: name)
        let details = try self.useCases.showState.execute(name, as: page.caller)
        guard let current = details.entry.state.latest else {
            throw ApplicationError(.notFound, "\(name) has no version")
        }
        let path = UIRoute.statePath(name.rawValue)
        guard number >= 1, number <= current.number, number < .max else {
            throw ApplicationError(.notFound, "\(name) has no version \(number)")
        }
        let target = try self.useCases.listVersions.execute(name, before: number + 1, limit: 1, as: page.caller)
            .versions.first
        guard let target, target.number == number else {
            throw ApplicationError(.notFound, "\(name) has no version \(number)")
        }
        var view = self.base("Roll back \(name)", page, nav: "states")
        view["name"] = .text(name.rawValue)
        view["version"] = .text(String(number))
        view["serial"] = .text(String(target.serial))
        view["by"] = .text(target.createdBy)
        view["ago"] = .text(Format.ago(target.createdAt, now: self.clock.now()))
        view["next"] = .text(String(details.entry.state.nextVersionNumber))
        let (serial, overflow) = current.serial.addingReportingOverflow(1)
        view["newSerial"] = .text(
            overflow ? "none: the serial is at its maximum, and the rollback will be refused" : String(serial))
        view["action"] = .text(path + "/rollback")
        view["back"] = .text(path)
        if number != current.number,
            let result = try? self.useCases.diff.execute(name, from: current.number, to: number, as: page.caller)
        {
            view["diff"] = [
                "current": .text(String(current.number)), "summary": .text(summary(result.diff)),
                "href": .text(link(path + "/diff", [("from", String(current.number)), ("to", String(number))])),
            ]
        }
        return self.html(.ok, "rollback", view, page)
    }
}

/// One side of a diff as the page shows it.
private func shown(_ value: StateDiff.Value) -> String {
    switch value {
    case .absent: "(none)"
    case .sensitive: "(sensitive)"
    case .value(let json): jsonText(json, limit: 4096)
    }
}

/// `resources: 3 added, 1 removed, 2 changed; outputs: 1 changed`.
private func summary(_ diff: StateDiff) -> String {
    let resources =
        "resources: \(diff.addedResources.count) added, \(diff.removedResources.count) removed, "
        + "\(diff.changedResources.count) changed"
    let outputs = diff.addedOutputs.count + diff.removedOutputs.count + diff.changedOutputs.count
    return resources + (outputs == 0 ? "" : "; outputs: \(outputs) changed")
}

/// An optional integer query parameter.
private func integer(_ text: String?, _ name: String) throws(ApplicationError) -> Int64? {
    guard let text = nonEmpty(text) else { return nil }
    guard let value = Int64(text) else { throw ApplicationError(.invalidInput, "\(name) must be a version number") }
    return value
}

/// `value` as compact JSON text, keys sorted, cut after about `limit` characters.
func jsonText(_ value: JSONValue, limit: Int) -> String {
    var output = ""
    func write(_ value: JSONValue) {
        guard output.utf8.count <= limit else { return }
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): output += jsonStringLiteral(text)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                write(element)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                output += jsonStringLiteral(key) + ":"
                write(members[key]!)
            }
            output += "}"
        }
    }
    write(value)
    if output.utf8.count > limit { return String(output.prefix(limit)) + "…" }
    return output
}
