import Domain
internal import SystemSupport

/// A compact JWS (`header.payload.signature`, each base64url) taken apart, before any check.
struct IDToken {
    /// The header's members: `alg`, `kid` …
    let header: JSONValue
    /// The payload's claims.
    let claims: JSONValue
    /// What the signature covers: `header.payload` as sent.
    let signingInput: ArraySlice<UInt8>
    /// The signature bytes.
    let signature: [UInt8]

    /// Whether `text` looks like a JWT: three base64url parts, the first a JSON object (`eyJ`).
    static func looksLike(_ text: String) -> Bool {
        var dots = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                dots += 1
            } else if !IDToken.isBase64URL(byte) {
                return false
            }
        }
        return dots == 2 && text.hasPrefix("eyJ")
    }

    /// Takes `text` apart; `nil` unless it is three base64url parts whose first two are JSON objects.
    init?(_ text: String) {
        guard IDToken.looksLike(text) else { return nil }
        let bytes = Array(text.utf8)
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let header = IDToken.object(parts[0]), let claims = IDToken.object(parts[1]),
            let signature = IDToken.decode(parts[2])
        else { return nil }
        self.header = header
        self.claims = claims
        self.signingInput = bytes[..<parts[1].endIndex]
        self.signature = signature
    }

    /// The claims as text: strings as they are, numbers and booleans as their JSON text; arrays,
    /// objects and nulls are left out.
    var stringClaims: [String: String] {
        guard case .object(let members) = self.claims else { return [:] }
        return members.compactMapValues { value in
            switch value {
            case .string(let text): text
            case .number(let literal): literal
            case .bool(let flag): flag ? "true" : "false"
            case .null, .array, .object: nil
            }
        }
    }

    /// The time claim `name` (seconds since the epoch), or `nil` when the token has none.
    func time(_ name: String) throws(Refusal) -> Timestamp? {
        guard let value = self.claims[name] else { return nil }
        guard case .number(let literal) = value, let seconds = Double(literal), seconds.isFinite,
            let microseconds = Int64(exactly: (seconds * 1_000_000).rounded(.down))
        else { throw Refusal("\(name) is not a time") }
        return Timestamp(microseconds: microseconds)
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    private static func decode(_ part: ArraySlice<UInt8>) -> [UInt8]? {
        let standard = part.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        return Base64.decode(String(decoding: standard, as: UTF8.self))
    }

    private static func object(_ part: ArraySlice<UInt8>) -> JSONValue? {
        guard let bytes = IDToken.decode(part), let value = try? JSONValue(parsing: bytes),
            case .object = value
        else { return nil }
        return value
    }
}
