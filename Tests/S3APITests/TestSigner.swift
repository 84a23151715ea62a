import Crypto
import Domain
import HTTPServer
import SystemSupport

@testable import S3API

/// Signs requests as an S3 client does (header form), with the server's own SigV4 pieces (which
/// SigV4Tests and BotocoreSignatureTests check against Amazon's examples and botocore).
struct TestSigner {
    let accessKeyID: String
    let secret: String
    var region = "us-east-1"

    /// `headers` plus `x-amz-date`, `x-amz-content-sha256` and the `Authorization` header that signs
    /// all of them (and `host`).
    func sign(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        time: String, payloadHash: String? = nil
    ) -> HTTPHeaders {
        let hash = payloadHash ?? Hex.encode(Array(SHA256.hash(data: body)))
        var fields = [("Host", "127.0.0.1")] + headers
        fields.append(("x-amz-date", time))
        fields.append(("x-amz-content-sha256", hash))
        let all = HTTPHeaders(fields)
        let names = Set(fields.map { $0.0.lowercased() }).sorted()
        let day = String(time.prefix(8))
        let scope = "\(day)/\(self.region)/s3/aws4_request"
        let canonical = SigV4.canonicalRequest(
            method: method, rawTarget: target, target: try! RequestTarget(parsing: target), headers: all,
            signedHeaders: names, payloadHash: hash)
        let key = SigV4.signingKey(secret: self.secret, day: day, region: self.region, service: "s3")
        let signature = SigV4.signature(
            SigV4.stringToSign(time: time, scope: scope, canonicalRequest: canonical), key: key)
        var signed = all
        signed.add(
            name: "Authorization",
            value: "AWS4-HMAC-SHA256 Credential=\(self.accessKeyID)/\(scope), SignedHeaders="
                + "\(names.joined(separator: ";")), Signature=\(signature)")
        return signed
    }

    /// The signing key of `day`, for chunk signatures.
    func key(day: String) -> SymmetricKey {
        SigV4.signingKey(secret: self.secret, day: day, region: self.region, service: "s3")
    }
}

/// `yyyyMMdd'T'HHmmss'Z'` of `seconds` since the epoch.
func amzDate(_ seconds: Int64) -> String {
    let text = Timestamp(microseconds: seconds * 1_000_000).description  // 2026-12-06T15:15:00.000000Z
    let digits = text.prefix(19).filter { $0.isNumber }
    return String(digits.prefix(8)) + "T" + String(digits.dropFirst(8)) + "Z"
}
