import Foundation
import HTTPServer
import Testing

@testable import S3API

/// Requests signed by botocore (the signer of boto3 and the AWS CLI), the way Terraform's S3
/// backend shapes them: a ranged GET of a workspace's state, a conditional PUT of a lock file, a
/// ListObjectsV2 with an encoded prefix and delimiter, and a key with a space, `+` and `~`. The
/// server's signature of what arrived must be botocore's.
struct BotocoreSignatureTests {
    static let secret = "secret/key+example"
    static let script = #"""
        import json
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        cases = []
        for method, url, body, headers in [
            ("GET", "http://127.0.0.1:9000/tfstate/env:/dev/team/app.tfstate", b"", {"Range": "bytes=0-5242879"}),
            ("PUT", "http://127.0.0.1:9000/tfstate/team/app.tfstate.tflock", b'{"ID":"x"}',
             {"If-None-Match": "*", "Content-Type": "application/json"}),
            ("GET", "http://127.0.0.1:9000/tfstate?list-type=2&prefix=env%3A%2F&delimiter=%2F&max-keys=1000", b"", {}),
            ("GET", "http://127.0.0.1:9000/tfstate/a%20b/c%2Bd~e.tfstate", b"", {}),
        ]:
            request = AWSRequest(method=method, url=url, data=body, headers=headers)
            S3SigV4Auth(Credentials("AKIDEXAMPLE", "secret/key+example"), "s3", "us-east-1").add_auth(request)
            cases.append({"method": method, "target": url.split("9000", 1)[1],
                          "headers": [[k, v] for k, v in request.headers.items()] + [["Host", "127.0.0.1:9000"]]})
        print(json.dumps(cases))
        """#

    struct Case: Decodable {
        let method: String
        let target: String
        let headers: [[String]]
    }

    @Test func theServerComputesBotocoresSignatures() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 with botocore (scripts/test installs it)")
        let cases = try JSONDecoder().decode([Case].self, from: output)
        #expect(cases.count == 4)
        for request in cases {
            let headers = HTTPHeaders(request.headers.map { ($0[0], $0[1]) })
            let authorization = try #require(headers["Authorization"])
            let credential = try #require(SigV4.Credential(authorization: authorization))
            let canonical = SigV4.canonicalRequest(
                method: request.method, rawTarget: request.target, target: try RequestTarget(parsing: request.target),
                headers: headers,
                signedHeaders: credential.signedHeaders, payloadHash: try #require(headers["X-Amz-Content-SHA256"]))
            let toSign = SigV4.stringToSign(
                time: try #require(headers["X-Amz-Date"]), scope: credential.scope, canonicalRequest: canonical)
            let key = SigV4.signingKey(
                secret: Self.secret, day: credential.day, region: credential.region, service: credential.service)
            #expect(SigV4.signature(toSign, key: key) == credential.signature, "\(request.method) \(request.target)")
        }
    }
}
