import Crypto
import HTTPServer
import SystemSupport

/// AWS Signature Version 4 as S3 clients sign requests: the canonical request, the string to sign,
/// the signing key and the signature, for the `Authorization` header form and the presigned
/// (query-string) form. Only what a server needs to check a signature; nothing here signs requests
/// for sending.
enum SigV4 {
    /// The one algorithm S3 clients use.
    static let algorithm = "AWS4-HMAC-SHA256"

    /// A request's signature parameters, from its `Authorization` header or its query string.
    struct Credential: Equatable {
        /// The access key ID.
        let accessKeyID: String
        /// The scope's day, `yyyyMMdd`.
        let day: String
        /// The scope's region.
        let region: String
        /// The scope's service (`s3`).
        let service: String
        /// The signed headers' names, lowercase, in the order signed (sorted).
        let signedHeaders: [String]
        /// The signature, lowercase hex.
        let signature: String

        /// `yyyyMMdd/region/service/aws4_request`.
        var scope: String { "\(self.day)/\(self.region)/\(self.service)/aws4_request" }

        /// Parses `AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,
        /// SignedHeaders=host;x-amz-date, Signature=…`; `nil` for anything else. By bytes: this
        /// runs on every request.
        init?(authorization header: String) {
            let bytes = Array(header.utf8)
            let prefix = Array((SigV4.algorithm + " ").utf8)
            guard bytes.starts(with: prefix) else { return nil }
            var credential: String?
            var signed: String?
            var signature: String?
            for part in bytes[prefix.count...].split(separator: UInt8(ascii: ",")) {
                let field = part.drop { $0 == UInt8(ascii: " ") }
                guard let equals = field.firstIndex(of: UInt8(ascii: "=")) else { return nil }
                let value = String(decoding: field[(equals + 1)...], as: UTF8.self)
                switch String(decoding: field[..<equals], as: UTF8.self) {
                case "Credential": credential = value
                case "SignedHeaders": signed = value
                case "Signature": signature = value
                default: break
                }
            }
            guard let credential, let signed, let signature else { return nil }
            self.init(credential: credential, signedHeaders: signed, signature: signature)
        }

        /// From the parts both forms share; `nil` if one is malformed.
        init?(credential: String, signedHeaders: String, signature: String) {
            let scope = credential.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            guard scope.count == 5, !scope[0].isEmpty, scope[1].count == 8, scope[1].allSatisfy(isDigit),
                !scope[2].isEmpty, !scope[3].isEmpty, scope[4].elementsEqual("aws4_request".utf8)
            else { return nil }
            let names = signedHeaders.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            guard !names.contains(where: \.isEmpty),
                !names.contains(where: { $0.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) } }),
                signature.utf8.count == 64, signature.utf8.allSatisfy({ Hex.value(of: $0) != nil })
            else { return nil }
            self.accessKeyID = String(decoding: scope[0], as: UTF8.self)
            self.day = String(decoding: scope[1], as: UTF8.self)
            self.region = String(decoding: scope[2], as: UTF8.self)
            self.service = String(decoding: scope[3], as: UTF8.self)
            self.signedHeaders = names.map { String(decoding: $0, as: UTF8.self) }
            self.signature = signature.utf8.contains { (0x41...0x46).contains($0) } ? signature.lowercased() : signature
        }
    }

    /// The canonical request: method, canonical URI, canonical query (without
    /// `X-Amz-Signature`), the signed headers' canonical lines, their names, and the payload hash.
    /// For S3 the canonical URI is the path exactly as sent (already encoded once by the client,
    /// never normalised or encoded again: Terraform's `env%3A` stays so). The query is read from
    /// the target as sent: each name and value decoded (a `+` stays a `+`) and encoded again.
    static func canonicalRequest(
        method: String, rawTarget: String, target: RequestTarget, headers: HTTPHeaders, signedHeaders: [String],
        payloadHash: String
    ) -> String {
        let rawQuery = rawTarget.firstIndex(of: "?").map { rawTarget[rawTarget.index(after: $0)...] } ?? ""
        var pairs: [(name: String, value: String)] = []
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let name = decoded(equals.map { pair[..<$0] } ?? pair)
            guard name != "X-Amz-Signature" else { continue }
            pairs.append((encode(name), encode(decoded(equals.map { pair[pair.index(after: $0)...] } ?? ""))))
        }
        let sorted = pairs.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        let query = sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
        let canonicalHeaders = signedHeaders.map { name in
            let values = headers.values(of: name).map(collapsingSpaces)
            return "\(name):\(values.joined(separator: ","))\n"
        }
        return [
            method, target.rawPath, query, canonicalHeaders.joined(),
            signedHeaders.joined(separator: ";"), payloadHash,
        ].joined(separator: "\n")
    }

    /// `text` percent-decoded, `+` kept; as it was when it does not decode (its signature then
    /// does not match).
    private static func decoded(_ text: Substring) -> String {
        (try? RequestTarget.percentDecode(text, plusAsSpace: false)) ?? String(text)
    }

    /// `AWS4-HMAC-SHA256`, the request's time (`yyyyMMdd'T'HHmmss'Z'`), the scope and the canonical
    /// request's SHA-256, one a line.
    static func stringToSign(time: String, scope: String, canonicalRequest: String) -> String {
        let digest = Hex.encode(Array(SHA256.hash(data: Array(canonicalRequest.utf8))))
        return "\(algorithm)\n\(time)\n\(scope)\n\(digest)"
    }

    /// The key a secret signs with on `day` in `region` for `service`.
    static func signingKey(secret: String, day: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// The signature of `stringToSign` with `key`, lowercase hex.
    static func signature(_ stringToSign: String, key: SymmetricKey) -> String {
        Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)))
    }

    /// Whether `presented` (lowercase hex) is `expected`, compared in constant time.
    static func matches(_ presented: String, _ expected: String) -> Bool {
        let (a, b) = (Array(presented.utf8), Array(expected.utf8))
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// `text` percent-encoded as SigV4 wants a query name or value: every byte but
    /// `A-Z a-z 0-9 - . _ ~` as `%XX` with uppercase hex.
    static func encode(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                output.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
            }
        }
        return output
    }
}

/// A header value with leading and trailing spaces removed and inner runs of spaces made one.
private func collapsingSpaces(_ value: String) -> String {
    let bytes = value.utf8
    guard
        bytes.first == UInt8(ascii: " ") || bytes.last == UInt8(ascii: " ")
            || zip(bytes, bytes.dropFirst()).contains(where: { $0 == UInt8(ascii: " ") && $1 == UInt8(ascii: " ") })
    else { return value }
    return String(
        decoding: Array(bytes.split(separator: UInt8(ascii: " ")).joined(separator: [UInt8(ascii: " ")])),
        as: UTF8.self)
}

private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
