import Foundation
import HTTPServer
import HTTPTestSupport
import Testing

/// TLS and mutual TLS, driven by curl.
@Suite struct TLSTests {
    static let certificates = Result { try TestCertificates.make() }

    func server(_ clientAuthentication: TLSConfiguration.ClientAuthentication) throws -> LiveServer {
        let certificates = try Self.certificates.get()
        return try LiveServer(
            configure: {
                $0.tls = TLSConfiguration(
                    certificateChainFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey,
                    clientCAFile: certificates.caCertificate, clientAuthentication: clientAuthentication)
            },
            responder: ClosureResponder { request in
                Response(
                    status: .ok, headers: ["X-Client-CN": request.clientCertificate?.commonName ?? "-"],
                    body: request.body)
            })
    }

    /// Runs curl against the server; returns its exit status and output (headers, then body).
    func curl(_ live: LiveServer, _ arguments: [String], path: String = "/hello") throws -> (
        status: Int32, output: String
    ) {
        let certificates = try Self.certificates.get()
        return try TestEnvironment.run(
            ["curl", "-sS", "-i", "--max-time", "20", "--cacert", certificates.caCertificate] + arguments
                + ["https://127.0.0.1:\(live.port)\(path)"])
    }

    @Test func servesHTTPSAndKeepsConnectionsAlive() throws {
        let live = try self.server(.none)
        let result = try self.curl(
            live,
            [
                "-w", "\\nconnects=%{num_connects}", "--data-binary", "ping", "-o", "/dev/stdout",
                "https://127.0.0.1:\(live.port)/again",
            ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("HTTP/1.1 200 OK"))
        #expect(result.output.contains("ping"))
        #expect(result.output.contains("connects=0"), "the second request reused the TLS connection: \(result.output)")
    }

    @Test func requiredClientCertificatesAreEnforcedAndIdentifyTheClient() throws {
        let certificates = try Self.certificates.get()
        let live = try self.server(.required)
        #expect(try self.curl(live, []).status != 0, "no client certificate: handshake refused")
        #expect(
            try self.curl(live, ["--cert", certificates.rogueCertificate, "--key", certificates.rogueKey]).status != 0,
            "a certificate from another CA is refused")
        let good = try self.curl(live, ["--cert", certificates.clientCertificate, "--key", certificates.clientKey])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("X-Client-CN: ci"))
    }

    @Test func mutualTLSSurvivesSessionResumption() throws {
        let certificates = try Self.certificates.get()
        let live = try self.server(.required)
        // Connection: close makes curl open a second connection, resuming the first session.
        let result = try self.curl(
            live,
            [
                "--cert", certificates.clientCertificate, "--key", certificates.clientKey, "-H", "Connection: close",
                "https://127.0.0.1:\(live.port)/second",
            ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.components(separatedBy: "X-Client-CN: ci").count == 3, "\(result.output)")
    }

    @Test func optionalClientCertificatesAreReportedWhenGiven() throws {
        let certificates = try Self.certificates.get()
        let live = try self.server(.optional)
        #expect(try self.curl(live, []).output.contains("X-Client-CN: -"))
        #expect(
            try self.curl(live, ["--cert", certificates.clientCertificate, "--key", certificates.clientKey]).output
                .contains("X-Client-CN: ci"))
    }

    @Test func plainHTTPOrASilentClientOnTheTLSPortIsDroppedWithoutHarm() throws {
        let live = try self.server(.none)
        let plain = try live.client()
        try plain.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(plain.isEventuallyClosed(timeout: .seconds(20)), "the failed handshake ends the connection")
        #expect(try self.curl(live, []).output.contains("HTTP/1.1 200 OK"), "the server is still serving")
    }

    @Test func aSlowHandshakeIsCutOffAtTheHeaderTimeout() throws {
        let certificates = try Self.certificates.get()
        let live = try LiveServer {
            $0.headerTimeout = .milliseconds(300)
            $0.tls = TLSConfiguration(
                certificateChainFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey)
        }
        let silent = try live.client()
        #expect(silent.isClosedByPeer(timeout: .seconds(10)))
        #expect(live.server.shutdown(drainTimeout: .seconds(5)))
    }
}
