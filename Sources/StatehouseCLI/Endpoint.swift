/// One management API route with its query: the request target, built without Foundation.
struct Endpoint {
    /// The path below `/api/v1`, already percent-encoded.
    let path: String
    /// The query parameters in order; `nil` values are left out.
    let query: [(name: String, value: String?)]

    /// The request target under `basePath`: `/base/api/v1/states?prefix=team%2F`.
    func target(basePath: String) -> String {
        let pairs = self.query.compactMap { item in
            item.value.map { "\(PercentEncoding.encode(item.name))=\(PercentEncoding.encode($0))" }
        }
        let query = pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
        return basePath + "/api/v1" + self.path + query
    }

    /// `GET /states`: live (or soft-deleted) states, one page.
    static func states(prefix: String?, contains: String?, limit: Int?, cursor: String?, deleted: Bool) -> Endpoint {
        Endpoint(
            path: "/states",
            query: [
                ("prefix", prefix), ("contains", contains), ("limit", limit.map(String.init)), ("cursor", cursor),
                ("deleted", deleted ? "true" : nil),
            ])
    }

    /// `/states/{name}`: one state.
    static func state(_ name: String) -> Endpoint {
        Endpoint(path: "/states/" + PercentEncoding.encode(name), query: [])
    }

    /// `/states/{name}/lock`.
    static func lock(_ name: String) -> Endpoint {
        Endpoint(path: self.state(name).path + "/lock", query: [])
    }

    /// `/states/{name}/versions`, one page, newest first.
    static func versions(_ name: String, limit: Int?, before: Int?) -> Endpoint {
        Endpoint(
            path: self.state(name).path + "/versions",
            query: [("limit", limit.map(String.init)), ("before", before.map(String.init))])
    }

    /// `/states/{name}/versions/{n}`: one version.
    static func version(_ name: String, _ number: Int) -> Endpoint {
        Endpoint(path: self.state(name).path + "/versions/\(number)", query: [])
    }

    /// `/states/{name}/restore`.
    static func restore(_ name: String) -> Endpoint {
        Endpoint(path: self.state(name).path + "/restore", query: [])
    }

    /// `/states/{name}/rollback`.
    static func rollback(_ name: String) -> Endpoint {
        Endpoint(path: self.state(name).path + "/rollback", query: [])
    }

    /// `/states/{name}/diff` between two versions (server defaults when `nil`).
    static func diff(_ name: String, from: Int?, to: Int?) -> Endpoint {
        Endpoint(
            path: self.state(name).path + "/diff",
            query: [("from", from.map(String.init)), ("to", to.map(String.init))])
    }

    /// `/locks`: one page of held locks, oldest first.
    static func locks(olderThan: String?, limit: Int?, cursor: String?) -> Endpoint {
        Endpoint(
            path: "/locks", query: [("older_than", olderThan), ("limit", limit.map(String.init)), ("cursor", cursor)])
    }

    /// `/tokens`: list or create API tokens.
    static let tokens = Endpoint(path: "/tokens", query: [])

    /// `/tokens/{id}`: one token.
    static func token(_ id: String) -> Endpoint {
        Endpoint(path: "/tokens/" + PercentEncoding.encode(id), query: [])
    }

    /// `/audit`: events, oldest first.
    static func audit(
        state: String?, user: String?, action: String?, since: String?, limit: Int?, after: Int?
    ) -> Endpoint {
        Endpoint(
            path: "/audit",
            query: [
                ("state", state), ("user", user), ("action", action), ("since", since),
                ("limit", limit.map(String.init)),
                ("after", after.map(String.init)),
            ])
    }
}

/// Percent-encoding for path segments and query values.
public enum PercentEncoding {
    /// `text` with every UTF-8 byte outside `A-Z a-z 0-9 . _ -` written as `%XX` (so `/` becomes
    /// `%2F`, a space `%20` and `+` `%2B`).
    public static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
