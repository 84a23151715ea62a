import APITypes
import Application
import Domain
import HTTPServer
import SystemSupport

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

    /// An audit event's action, such as `force-unlock`; an unknown one names those there are.
    func auditAction(_ name: String) throws(ApplicationError) -> Application.AuditEvent.Action? {
        guard let text = self.string(name) else { return nil }
        guard let action = Application.AuditEvent.Action(rawValue: text) else {
            let known = Application.AuditEvent.Action.allCases.map(\.rawValue).joined(separator: ", ")
            throw ApplicationError(.invalidInput, "\(name) must be one of \(known); not \(text)")
        }
        return action
    }

    func cursor(_ name: String) throws(ApplicationError) -> StatePosition? {
        guard let text = self.string(name) else { return nil }
        guard let position = Cursor.decode(text) else {
            throw ApplicationError(.invalidInput, "\(name) is not a cursor this server gave out")
        }
        return position
    }

    func lockCursor(_ name: String) throws(ApplicationError) -> LockPosition? {
        guard let text = self.string(name) else { return nil }
        guard let position = Cursor.decodeLock(text) else {
            throw ApplicationError(.invalidInput, "\(name) is not a cursor this server gave out for locks")
        }
        return position
    }
}
