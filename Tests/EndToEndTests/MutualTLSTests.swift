import Foundation
import HTTPTestSupport
import PasswordAuth
import Testing

/// Terraform over HTTPS with a client certificate and no password (checklist item 39).
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct MutualTLSTests {
    @Test func terraformAuthenticatesWithAClientCertificate() throws {
        let certificates = try TestCertificates.make()
        let config = try TestEnvironment.writeConfig(
            """
            [server]
            host = "127.0.0.1"
            port = 0
            tls_certificate = "\(certificates.serverCertificate)"
            tls_key = "\(certificates.serverKey)"
            tls_client_ca = "\(certificates.caCertificate)"
            tls_client_auth = "required"
            [storage]
            driver = "postgres"
            url = "\(try TestEnvironment.createDatabase())"
            [[users]]
            name = "pipeline"
            certificate_cn = "ci"
            grants = { "*" = "write" }
            """)
        let server = try ServerProcess(arguments: ["serve", "--config", config])
        let port = try #require(server.waitForPort(timeout: 60), "\(server.standardOutput)\(server.standardError)")
        defer {
            server.send(SIGTERM)
            _ = server.waitForExit()
        }
        let directory = try TestEnvironment.temporaryDirectory()
        let address = "https://127.0.0.1:\(port)/state/tls/app"
        try """
        terraform {
          backend "http" {
            address        = "\(address)"
            lock_address   = "\(address)"
            unlock_address = "\(address)"
          }
        }
        resource "terraform_data" "x" {
          input = "over mTLS"
        }
        """.write(toFile: directory + "/main.tf", atomically: true, encoding: .utf8)
        let environment = [
            "TF_HTTP_CLIENT_CA_CERTIFICATE_PEM": try String(
                contentsOfFile: certificates.caCertificate, encoding: .utf8),
            "TF_HTTP_CLIENT_CERTIFICATE_PEM": try String(
                contentsOfFile: certificates.clientCertificate, encoding: .utf8),
            "TF_HTTP_CLIENT_PRIVATE_KEY_PEM": try String(contentsOfFile: certificates.clientKey, encoding: .utf8),
        ]
        let terraform = ServerProcess.repositoryRoot + "/scripts/terraform"
        for arguments in [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]] {
            let result = try TestEnvironment.run(
                [terraform] + arguments + ["-no-color"], in: directory, environment: environment)
            #expect(result.status == 0, "\(result.output)")
        }
        let plan = try TestEnvironment.run(
            [terraform, "plan", "-input=false", "-detailed-exitcode", "-no-color"], in: directory,
            environment: environment)
        #expect(plan.status == 0, "\(plan.output)")
        let write = try #require(server.waitForLine(containing: "method=POST path=/state/tls/app"))
        #expect(write.contains("status=200"))
        #expect(write.contains("user=pipeline"))
    }
}
