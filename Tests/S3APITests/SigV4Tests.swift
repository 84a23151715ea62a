import HTTPServer
import Testing

@testable import S3API

/// The signature examples of Amazon S3's documentation ("Signature Calculations for the
/// Authorization Header" and "Authenticating Requests: Using Query Parameters"), with their
/// published signatures.
struct SigV4Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The signature of a request as a server computes it from what arrived.
    private func signature(
        _ method: String, _ target: String, _ headers: [(String, String)], signed: [String], payload: String,
        time: String = "20130524T000000Z"
    ) throws -> String {
        let request = try RequestTarget(parsing: target)
        let canonical = SigV4.canonicalRequest(
            method: method, rawTarget: target, target: request, headers: HTTPHeaders(headers), signedHeaders: signed,
            payloadHash: payload)
        let toSign = SigV4.stringToSign(
            time: time, scope: "20130524/us-east-1/s3/aws4_request", canonicalRequest: canonical)
        let key = SigV4.signingKey(secret: Self.secret, day: "20130524", region: "us-east-1", service: "s3")
        return SigV4.signature(toSign, key: key)
    }

    @Test func getObjectWithARange() throws {
        let headers = [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", Self.emptyHash), ("x-amz-date", "20130524T000000Z"),
        ]
        #expect(
            try self.signature(
                "GET", "/test.txt", headers, signed: ["host", "range", "x-amz-content-sha256", "x-amz-date"],
                payload: Self.emptyHash) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObjectWithAnEncodedKey() throws {
        let payload = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
        let headers = [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", payload),
        ]
        #expect(
            try self.signature(
                "PUT", "/test%24file.text", headers,
                signed: ["date", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-storage-class"],
                payload: payload) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func listObjectsWithSortedQueryParameters() throws {
        let headers = [
            ("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-content-sha256", Self.emptyHash),
        ]
        #expect(
            try self.signature(
                "GET", "/?max-keys=2&prefix=J", headers, signed: ["host", "x-amz-content-sha256", "x-amz-date"],
                payload: Self.emptyHash) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func aPresignedURL() throws {
        let target =
            "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1"
            + "%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        #expect(
            try self.signature(
                "GET", target, [("Host", "examplebucket.s3.amazonaws.com")], signed: ["host"],
                payload: "UNSIGNED-PAYLOAD") == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func theAuthorizationHeaderIsParsedStrictly() throws {
        let header =
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        let credential = try #require(SigV4.Credential(authorization: header))
        #expect(credential.accessKeyID == "AKIAIOSFODNN7EXAMPLE")
        #expect(credential.scope == "20130524/us-east-1/s3/aws4_request")
        #expect(credential.signedHeaders == ["host", "range", "x-amz-content-sha256", "x-amz-date"])
        // With spaces after the commas, as some clients send it.
        #expect(SigV4.Credential(authorization: header.replacing(",", with: ", ")) == credential)
        for bad in [
            header.replacing("AWS4-HMAC-SHA256", with: "AWS4-HMAC-SHA1"),
            header.replacing("/aws4_request", with: "/aws5_request"),
            header.replacing("20130524/", with: "2013052/"),
            header.replacing("Signature=f0e8", with: "Signature=zz"),
            header.replacing("host;range", with: "Host;range"),
            header.replacing("SignedHeaders=", with: "Signed="),
            "Basic dXNlcjpwdw==",
        ] {
            #expect(SigV4.Credential(authorization: bad) == nil, "\(bad)")
        }
    }

    @Test func signaturesAreComparedWhole() {
        let signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        #expect(SigV4.matches(signature, signature))
        #expect(!SigV4.matches(signature, String(signature.dropLast()) + "2"))
        #expect(!SigV4.matches(signature, String(signature.dropLast())))
    }
}
