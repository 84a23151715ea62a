import HTTPServer
import Testing

@testable import S3API
@testable import statehouse

/// The composition root sends the endpoint's path to the S3 API, and only that.
struct S3RoutingTests {
    @Test func theEndpointsPathGoesToTheS3APIAndNothingElseDoes() {
        let f = S3Fixture()
        let routes = Routes(api: f.api, ui: nil, s3: f.s3)
        let signer = f.keys["root"]!
        for target in ["/s3/infra/a.tfstate", "/s3/infra", "/s3"] {
            let headers = signer.sign("GET", target, time: amzDate(f.clock.seconds))
            let response = routes.handle(request("GET", target, headers))
            #expect(response.route == "s3", "\(target)")
            #expect(response.headers["x-amz-request-id"] != nil, "\(target)")
        }
        for target in ["/s3x/infra", "/state/infra/a.tfstate", "/api/v1/states"] {
            #expect(routes.handle(request("GET", target, ["Host": "t"])).route != "s3", "\(target)")
        }
        // Off, its path is unknown.
        let off = Routes(api: f.api, ui: nil, s3: nil)
        #expect(off.handle(request("GET", "/s3/infra/a.tfstate", ["Host": "t"])).status.code == 404)
    }

    private func request(_ method: String, _ target: String, _ headers: HTTPHeaders) -> Request {
        Request(
            head: RequestHead(
                method: method, rawTarget: target, target: try! RequestTarget(parsing: target), version: .http11,
                headers: headers),
            body: [], id: "r", remoteAddress: "127.0.0.1:1", logger: S3Fixture.logger)
    }
}
