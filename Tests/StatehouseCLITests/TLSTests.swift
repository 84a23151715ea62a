import HTTPServer
import HTTPTestSupport
import Testing

@testable import StatehouseCLI

/// The client over TLS against the package's server, with the test PKI.
@Suite struct TLSTests {
    /// A TLS server with the test certificate for 127.0.0.1 and localhost.
    private func server(_ certificates: TestCertificates, host: String = "127.0.0.1") throws -> FakeAPI {
        let tls = TLSConfiguration(
            certificateChainFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey)
        return try FakeAPI(host: host, tls: tls) { _ in FakeAPI.response(status: 200, json: #"{"locks": []}"#) }
    }

    @Test func verifiesTheServerAgainstTheCAFile() throws {
        let certificates = try TestCertificates.make()
        let api = try self.server(certificates)
        let trusted = try run(
            LocksCommand.self, ["--server", "https://127.0.0.1:\(api.port)", "--ca-file", certificates.caCertificate])
        #expect(trusted.status == 0 && trusted.output == "No locks held.\n")
        let byName = try run(
            LocksCommand.self, ["--server", "https://localhost:\(api.port)"],
            environment: ["STATEHOUSE_API_CA_FILE": certificates.caCertificate])
        #expect(byName.status == 0, "\(byName.error)")

        let untrusted = try run(LocksCommand.self, ["--server", "https://127.0.0.1:\(api.port)"])
        #expect(untrusted.status == CLIError.unreachableStatus)
        #expect(untrusted.error.contains("TLS certificate verification failed: unable to get local issuer certificate"))
    }

    @Test func rejectsACertificateForAnotherHost() throws {
        let certificates = try TestCertificates.make()
        let api = try self.server(certificates, host: "*")
        let outcome = try run(
            LocksCommand.self, ["--server", "https://127.0.0.2:\(api.port)", "--ca-file", certificates.caCertificate])
        #expect(outcome.status == CLIError.unreachableStatus)
        #expect(outcome.error.contains("TLS certificate verification failed: IP address mismatch"))
    }

    @Test func presentsAClientCertificate() throws {
        let certificates = try TestCertificates.make()
        let api = try FakeAPI(
            tls: TLSConfiguration(
                certificateChainFile: certificates.serverCertificate, privateKeyFile: certificates.serverKey,
                clientCAFile: certificates.caCertificate, clientAuthentication: .required)
        ) { request in
            FakeAPI.response(
                status: 200, json: #"{"locks": [], "cn": "\#(request.clientCertificate?.commonName ?? "")"}"#)
        }
        let url = "https://127.0.0.1:\(api.port)"
        let outcome = try run(
            LocksCommand.self,
            [
                "--server", url, "--ca-file", certificates.caCertificate, "--cert", certificates.clientCertificate,
                "--key", certificates.clientKey, "--json",
            ])
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains(#""cn": "ci""#))

        let without = try run(LocksCommand.self, ["--server", url, "--ca-file", certificates.caCertificate])
        #expect(without.status == CLIError.unreachableStatus)
    }

    @Test func reportsUnusableFiles() throws {
        let outcome = try run(LocksCommand.self, ["--server", "https://127.0.0.1:1", "--ca-file", "/nonexistent.pem"])
        #expect(outcome.status == CLIError.usageStatus)
        #expect(outcome.error.hasPrefix("statehouse: cannot load the CA file /nonexistent.pem"))
        let keyOnly = try run(LocksCommand.self, ["--server", "https://127.0.0.1:1", "--key", "k.pem"])
        #expect(keyOnly.error == "statehouse: --key needs --cert (or STATEHOUSE_API_CERT)\n")
    }
}
