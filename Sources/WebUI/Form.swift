import HTTPServer

/// A form's fields as a browser posts them (`application/x-www-form-urlencoded`).
struct Form {
    /// The largest form any page sends.
    static let maxBytes = 8 << 10

    private let fields: [String: String]

    /// Parses `body`; `nil` if it is not UTF-8 or not percent-encoded properly.
    init?(_ body: [UInt8]) {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = try? RequestTarget.percentDecode(parts[0], plusAsSpace: true),
                let value = try? RequestTarget.percentDecode(parts.count > 1 ? parts[1] : "", plusAsSpace: true)
            else { return nil }
            if fields[name] == nil { fields[name] = value }
        }
        self.fields = fields
    }

    /// The field's value exactly as sent (a password keeps its spaces); `nil` when missing or empty.
    func raw(_ name: String) -> String? {
        guard let value = self.fields[name], !value.isEmpty else { return nil }
        return value
    }

    /// The field's value, without leading and trailing spaces; `nil` when missing or empty.
    subscript(_ name: String) -> String? {
        guard let value = self.fields[name] else { return nil }
        let trimmed = value.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}

/// The session cookie.
enum SessionCookie {
    static let name = "statehouse_session"

    /// The session secret in a `Cookie` header, if there is one.
    static func secret(in headers: HTTPHeaders) -> String? {
        cookieValue(name, in: headers)
    }

    /// The `Set-Cookie` value that keeps `secret` for the pages only: never sent to the protocol or
    /// the API routes (`Path=/ui`), never readable by a script (`HttpOnly`), never sent with a
    /// request another site starts (`SameSite=Strict`), and over TLS only when the server has TLS.
    static func setting(_ secret: String, maxAge seconds: Int64, secure: Bool) -> String {
        "\(name)=\(secret); Path=/ui; Max-Age=\(seconds); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// The `Set-Cookie` value that makes the browser forget the session.
    static func clearing(secure: Bool) -> String {
        "\(name)=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }
}

/// The first non-empty value of cookie `name` in the request's `Cookie` headers.
func cookieValue(_ name: String, in headers: HTTPHeaders) -> String? {
    for header in headers.values(of: "Cookie") {
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            guard trimmed.hasPrefix(name + "=") else { continue }
            let value = trimmed.dropFirst(name.count + 1)
            return value.isEmpty ? nil : String(value)
        }
    }
    return nil
}

/// Percent-encodes `text` for a URL path (keeping `/`) or a query value.
func urlEncoded(_ text: String, keepSlash: Bool = false) -> String {
    var output = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            output.unicodeScalars.append(Unicode.Scalar(byte))
        case UInt8(ascii: "/") where keepSlash:
            output += "/"
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            output += "%"
            output.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
            output.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
        }
    }
    return output
}
