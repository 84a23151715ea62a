import Crypto
import SystemSupport

/// `Content-Encoding: aws-chunked` bodies: the payload in chunks (`hex-size[;chunk-signature=…]
/// CRLF data CRLF`), a zero-size chunk, then trailing headers (`x-amz-checksum-…`, and for signed
/// streams `x-amz-trailer-signature`) and a blank line. Signed streams chain every chunk's
/// signature from the request's own; each is checked.
enum AWSChunked {
    /// What a signed stream's chunks are signed with.
    struct Signing {
        /// The request's signing key.
        let key: SymmetricKey
        /// `x-amz-date`.
        let time: String
        /// The credential scope.
        let scope: String
        /// The request's signature, which the first chunk's chains from.
        let seed: String
    }

    /// A decoded body.
    struct Decoded {
        /// The payload.
        let payload: [UInt8]
        /// The trailing headers, names lowercased, signature excluded.
        let trailers: [(name: String, value: String)]
    }

    private static let emptyHash = Hex.encode(Array(SHA256.hash(data: [UInt8]())))

    /// The payload of `body`, which must decode to exactly `decodedLength` bytes; chunk and
    /// trailer signatures checked with `signing` (an unsigned stream has none and must carry
    /// none).
    static func decode(_ body: [UInt8], decodedLength: Int, signing: Signing?) throws(S3Error) -> Decoded {
        var reader = LineReader(bytes: body)
        var payload: [UInt8] = []
        payload.reserveCapacity(min(decodedLength, body.count))
        var previous = signing?.seed ?? ""
        while true {
            guard let line = reader.line(), let header = String(validating: line, as: UTF8.self) else {
                throw malformed("a chunk header is missing or not text")
            }
            let parts = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            guard let size = Int(parts[0], radix: 16), parts[0].utf8.count <= 8, size >= 0,
                size <= decodedLength - payload.count
            else { throw malformed("a chunk size is not hex or runs past x-amz-decoded-content-length") }
            let data = try reader.take(size)
            if let signing {
                guard parts.count == 2, parts[1].hasPrefix("chunk-signature="),
                    case let presented = String(parts[1].dropFirst("chunk-signature=".count)),
                    presented.utf8.count == 64
                else { throw malformed("a chunk of a signed stream has no chunk-signature") }
                let stringToSign = [
                    "AWS4-HMAC-SHA256-PAYLOAD", signing.time, signing.scope, previous, Self.emptyHash,
                    Hex.encode(Array(SHA256.hash(data: data))),
                ].joined(separator: "\n")
                let expected = SigV4.signature(stringToSign, key: signing.key)
                guard SigV4.matches(presented.lowercased(), expected) else {
                    throw S3Error(403, "SignatureDoesNotMatch", "the signature of a chunk of the body does not match")
                }
                previous = expected
            } else if parts.count == 2 {
                throw malformed("an unsigned stream carries a chunk signature")
            }
            if size == 0 { break }
            payload += data
            guard reader.crlf() else { throw malformed("a chunk does not end with CRLF") }
        }
        guard payload.count == decodedLength else {
            throw S3Error(
                400, "IncompleteBody", "the body decodes to \(payload.count) bytes, not x-amz-decoded-content-length")
        }
        var trailers: [(name: String, value: String)] = []
        var trailerSignature: String? = nil
        while let line = reader.line(), !line.isEmpty {
            guard trailers.count < 4, let text = String(validating: line, as: UTF8.self),
                let colon = text.firstIndex(of: ":")
            else { throw malformed("a trailing header is malformed") }
            let name = text[..<colon].lowercased()
            let value = String(text[text.index(after: colon)...]).trimmingSpacesAndTabs()
            if name == "x-amz-trailer-signature" {
                trailerSignature = value
            } else {
                trailers.append((name, value))
            }
        }
        guard reader.atEnd else { throw malformed("bytes follow the end of the chunked body") }
        if let signing, !trailers.isEmpty {
            guard let presented = trailerSignature else {
                throw malformed("the trailing headers of a signed stream have no x-amz-trailer-signature")
            }
            let canonical = trailers.map { "\($0.name):\($0.value)\n" }.joined()
            let stringToSign = [
                "AWS4-HMAC-SHA256-TRAILER", signing.time, signing.scope, previous,
                Hex.encode(Array(SHA256.hash(data: Array(canonical.utf8)))),
            ].joined(separator: "\n")
            guard SigV4.matches(presented.lowercased(), SigV4.signature(stringToSign, key: signing.key)) else {
                throw S3Error(403, "SignatureDoesNotMatch", "the signature of the trailing headers does not match")
            }
        }
        return Decoded(payload: payload, trailers: trailers)
    }

    private static func malformed(_ why: String) -> S3Error {
        S3Error(400, "InvalidRequest", "malformed aws-chunked body: \(why)")
    }
}

/// Reads CRLF-terminated lines and counted runs of bytes.
private struct LineReader {
    let bytes: [UInt8]
    var position = 0

    var atEnd: Bool { self.position == self.bytes.count }

    /// The next line without its CRLF (at most 4 KiB), or `nil` when none ends within that.
    mutating func line() -> ArraySlice<UInt8>? {
        let limit = min(self.bytes.count, self.position + 4096)
        var index = self.position
        while index + 1 < limit {
            if self.bytes[index] == 0x0D && self.bytes[index + 1] == 0x0A {
                defer { self.position = index + 2 }
                return self.bytes[self.position..<index]
            }
            index += 1
        }
        return nil
    }

    mutating func take(_ count: Int) throws(S3Error) -> [UInt8] {
        guard self.bytes.count - self.position >= count else {
            throw S3Error(400, "IncompleteBody", "the body ends inside a chunk")
        }
        defer { self.position += count }
        return Array(self.bytes[self.position..<(self.position + count)])
    }

    mutating func crlf() -> Bool {
        guard self.bytes.count - self.position >= 2, self.bytes[self.position] == 0x0D,
            self.bytes[self.position + 1] == 0x0A
        else { return false }
        self.position += 2
        return true
    }
}
