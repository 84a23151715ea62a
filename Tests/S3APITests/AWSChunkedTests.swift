import Crypto
import SystemSupport
import Testing

@testable import S3API

/// `aws-chunked` bodies, signed (Amazon's streaming example) and unsigned with a trailing checksum.
struct AWSChunkedTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    static let signatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]

    private var signing: AWSChunked.Signing {
        AWSChunked.Signing(
            key: SigV4.signingKey(secret: Self.secret, day: "20130524", region: "us-east-1", service: "s3"),
            time: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request", seed: Self.seed)
    }

    /// Amazon's example body: 65,536 + 1,024 bytes of `a`, with the published chunk signatures.
    private func example(signatures: [String] = Self.signatures) -> [UInt8] {
        func chunk(_ size: Int, _ signature: String) -> [UInt8] {
            Array("\(String(size, radix: 16));chunk-signature=\(signature)\r\n".utf8)
                + Array(repeating: UInt8(ascii: "a"), count: size) + Array("\r\n".utf8)
        }
        return chunk(65536, signatures[0]) + chunk(1024, signatures[1]) + chunk(0, signatures[2])
    }

    @Test func amazonsSignedExampleDecodes() throws {
        let decoded = try AWSChunked.decode(self.example(), decodedLength: 66560, signing: self.signing)
        #expect(decoded.payload == Array(repeating: UInt8(ascii: "a"), count: 66560))
        #expect(decoded.trailers.isEmpty)
    }

    @Test func aChangedChunkOrSignatureIsRefused() {
        var body = self.example()
        body[200] = UInt8(ascii: "b")
        #expect(throws: S3Error.self) { try AWSChunked.decode(body, decodedLength: 66560, signing: self.signing) }
        var swapped = Self.signatures
        swapped.swapAt(0, 1)
        do {
            _ = try AWSChunked.decode(self.example(signatures: swapped), decodedLength: 66560, signing: self.signing)
            Issue.record("accepted chunks in another order's signatures")
        } catch {
            #expect(error.code == "SignatureDoesNotMatch")
        }
        // The wrong length, a stream cut short, and an unsigned chunk in a signed stream.
        #expect(throws: S3Error.self) {
            try AWSChunked.decode(self.example(), decodedLength: 66561, signing: self.signing)
        }
        #expect(throws: S3Error.self) {
            try AWSChunked.decode(Array(self.example().prefix(60000)), decodedLength: 66560, signing: self.signing)
        }
        #expect(throws: S3Error.self) {
            try AWSChunked.decode(Array("0\r\n\r\n".utf8), decodedLength: 0, signing: self.signing)
        }
    }

    @Test func anUnsignedStreamCarriesItsChecksumInATrailer() throws {
        let body = Array("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n".utf8)
        let decoded = try AWSChunked.decode(body, decodedLength: 5, signing: nil)
        #expect(decoded.payload == Array("hello".utf8))
        #expect(decoded.trailers.map(\.name) == ["x-amz-checksum-crc32"])
        #expect(decoded.trailers.map(\.value) == ["NhCmhg=="])
        #expect(throws: S3Error.self) {
            try AWSChunked.decode(Array("5\r\nhello\r\n0\r\n\r\nextra".utf8), decodedLength: 5, signing: nil)
        }
        #expect(throws: S3Error.self) {
            try AWSChunked.decode(
                Array("5;chunk-signature=00\r\nhello\r\n0\r\n\r\n".utf8), decodedLength: 5, signing: nil)
        }
        #expect(throws: S3Error.self) {
            try AWSChunked.decode(Array("zz\r\nhello\r\n0\r\n\r\n".utf8), decodedLength: 5, signing: nil)
        }
    }

    @Test func aSignedTrailerIsChecked() throws {
        let signing = self.signing
        let data = Array("hello".utf8)
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        func chunkSignature(_ previous: String, _ bytes: [UInt8]) -> String {
            SigV4.signature(
                [
                    "AWS4-HMAC-SHA256-PAYLOAD", signing.time, signing.scope, previous, empty,
                    Hex.encode(Array(SHA256.hash(data: bytes))),
                ].joined(separator: "\n"), key: signing.key)
        }
        let first = chunkSignature(Self.seed, data)
        let last = chunkSignature(first, [])
        let trailer = "x-amz-checksum-crc32:NhCmhg==\n"
        let trailerSignature = SigV4.signature(
            [
                "AWS4-HMAC-SHA256-TRAILER", signing.time, signing.scope, last,
                Hex.encode(Array(SHA256.hash(data: Array(trailer.utf8)))),
            ].joined(separator: "\n"), key: signing.key)
        func body(_ trailerValue: String) -> [UInt8] {
            Array(
                ("5;chunk-signature=\(first)\r\nhello\r\n0;chunk-signature=\(last)\r\n"
                    + "x-amz-checksum-crc32:\(trailerValue)\r\nx-amz-trailer-signature:\(trailerSignature)\r\n\r\n")
                    .utf8)
        }
        let decoded = try AWSChunked.decode(body("NhCmhg=="), decodedLength: 5, signing: signing)
        #expect(decoded.payload == data)
        do {
            _ = try AWSChunked.decode(body("AAAAAA=="), decodedLength: 5, signing: signing)
            Issue.record("accepted a trailer changed after signing")
        } catch {
            #expect(error.code == "SignatureDoesNotMatch")
        }
    }
}
