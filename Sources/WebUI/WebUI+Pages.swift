import Application
import Domain
import HTTPServer
import SystemSupport

extension WebUI {
    /// Answers a page (GET).
    func show(_ route: UIRoute, _ page: PageContext, _ request: Request) -> Response {
        do throws(ApplicationError) {
            switch route {
            case .states: return try self.statesPage(page, request)
            case .state(let name): return try self.statePage(try stateName(name), page, request)
            case .diff(let name): return try self.diffPage(try stateName(name), page, request)
            case .version(let name, let number): return try self.download(try stateName(name), number, page, request)
            case .rollback(let name): return try self.rollbackPage(try stateName(name), page, request)
            case .locks: return try self.locksPage(page, request)
            case .audit: return try self.auditPage(page, request)
            case .home, .asset, .signIn, .signOut, .unlock, .delete, .restore:
                return self.errorPage(.notFound, "Page not found", "There is no page at this address.", page)
            }
        } catch {
            return self.failurePage(error, page, request.logger, request.id)
        }
    }

    /// Does a change (POST, its CSRF token checked), then back to a page that shows the result.
    func change(_ route: UIRoute, _ form: Form, _ page: PageContext, _ request: Request) -> Response {
        let caller = page.caller
        do throws(ApplicationError) {
            switch route {
            case .signOut:
                return self.signOut(request, page)
            case .unlock(let text):
                let name = try stateName(text)
                guard let reason = form["reason"] else { throw ApplicationError(.invalidInput, "give a reason") }
                let released = try self.useCases.forceUnlock.execute(
                    name, expectedID: form["id"], reason: reason, as: caller)
                guard let released else {
                    return self.redirect(
                        UIRoute.statePath(name.rawValue), flash: Flash(ok: true, message: "\(name) was not locked."))
                }
                self.outcomes.forceUnlocks.increment()
                request.logger.notice(
                    "force-unlock",
                    metadata: [
                        "state": .string(name.rawValue), "user": .string(caller.principal.name),
                        "lock.id": .string(released.info.id), "lock.who": .string(released.info.who),
                        "lock.operation": .string(released.info.operation),
                    ])
                let message =
                    "Force-unlocked \(name): the lock \(released.info.id.prefix(80)) of "
                    + "\(released.info.who.prefix(80)) is gone."
                return self.redirect(UIRoute.statePath(name.rawValue), flash: Flash(ok: true, message: message))
            case .rollback(let text):
                let name = try stateName(text)
                guard let version = form["version"].flatMap({ Int64($0) }) else {
                    throw ApplicationError(.invalidInput, "say which version to roll back to")
                }
                guard let reason = form["reason"] else { throw ApplicationError(.invalidInput, "give a reason") }
                let record = try self.useCases.rollback.execute(name, to: version, reason: reason, as: caller)
                return self.redirect(
                    UIRoute.statePath(name.rawValue),
                    flash: Flash(
                        ok: true,
                        message:
                            "Rolled back to version \(version): version \(record.number) (serial \(record.serial)) "
                            + "is now current."))
            case .delete(let text):
                let name = try stateName(text)
                guard form["confirm"] == name.rawValue else {
                    throw ApplicationError(
                        .invalidInput, "type the state's name exactly to delete it; nothing was deleted")
                }
                try self.useCases.delete.execute(name, as: caller)
                return self.redirect(
                    "/ui/states",
                    flash: Flash(ok: true, message: "Deleted \(name). Its versions are kept; it can be restored."))
            case .restore(let text):
                let name = try stateName(text)
                var id: Int64? = nil
                if let text = form["id"] {
                    guard let number = Int64(text) else { throw ApplicationError(.invalidInput, "id must be a number") }
                    id = number
                }
                _ = try self.useCases.restore.execute(name, id: id, as: caller)
                return self.redirect(
                    UIRoute.statePath(name.rawValue), flash: Flash(ok: true, message: "Restored \(name)."))
            case .home, .asset, .signIn, .states, .locks, .audit, .state, .diff, .version:
                return self.errorPage(.notFound, "Page not found", "There is no page at this address.", page)
            }
        } catch {
            return self.failurePage(error, page, request.logger, request.id)
        }
    }

    /// Whether the caller may do `access` on `name` (changing it, when `changing`): the controls a
    /// page shows. The use case decides again when the form comes back.
    func allows(_ page: PageContext, _ access: Access, _ name: StateName, changing: Bool) -> Bool {
        (try? page.caller.principal.require(access, on: name, changing: changing)) != nil
    }

    /// Who wrote and when, as the pages show it.
    func written(_ by: String, _ at: Timestamp, now: Timestamp) -> View {
        ["by": .text(by), "at": .text(Format.time(at)), "ago": .text(Format.ago(at, now: now))]
    }

    /// `true` when a lock taken at `time` has been held past the stale threshold.
    func isStale(_ time: Timestamp, now: Timestamp) -> Bool {
        let (seconds, attoseconds) = self.settings.staleLockAfter.components
        let threshold = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return now.microseconds - time.microseconds > threshold
    }
}

/// A validated state name, or `invalidInput`.
func stateName(_ text: String) throws(ApplicationError) -> StateName {
    do {
        return try StateName(text)
    } catch {
        throw ApplicationError(.invalidInput, error.description)
    }
}
