import Foundation
import HTTPTestSupport
import Testing

/// Real S3 clients — boto3, and the AWS CLI — against a server's S3 endpoint, through
/// scripts/s3-client-check (scripts/test installs both from PyPI).
struct BotoClientTests {
    @Test(arguments: EndToEndStore.allCases.filter { $0 == .sqlite || TestEnvironment.postgresURL != nil })
    func boto3AndTheAWSCLIReadWriteListAndAreRefusedAsOnAWS(store: EndToEndStore) throws {
        let server = try StatehouseUnderTest(store: store)
        let key = try S3Key(on: server, name: "boto", grants: ["infra/": "admin"])
        let other = try S3Key(on: server, name: "elsewhere", grants: ["other/": "write"])
        let result = try TestEnvironment.run(
            [ServerProcess.repositoryRoot + "/scripts/s3-client-check"],
            environment: [
                "S3_ENDPOINT": "http://127.0.0.1:\(server.port)/s3", "S3_KEY_ID": key.accessKeyID,
                "S3_SECRET": key.secret, "S3_OTHER_KEY_ID": other.accessKeyID, "S3_OTHER_SECRET": other.secret,
            ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("s3-client-check: all checks passed"), "\(result.output)")
        #expect(!result.output.contains(key.secret), "no secret printed")

        // What boto3 wrote is the state over the http protocol too.
        let reply = try server.client().request("GET", "/state/infra/boto/a.tfstate")
        #expect(reply.status == 200)
        #expect(reply.text.contains(#""lineage": "boto-a""#), "\(reply.text)")
    }
}
