import Foundation

/// A throwaway PKI made with the openssl command: a CA, a server certificate for 127.0.0.1 and
/// localhost, a client certificate (CN=ci) from the same CA, and one (CN=ci) from another CA.
public struct TestCertificates: Sendable {
    /// Where the files are.
    public let directory: String
    /// The CA certificate (PEM).
    public var caCertificate: String { self.directory + "/ca.pem" }
    /// The server certificate, for 127.0.0.1 and localhost.
    public var serverCertificate: String { self.directory + "/server.pem" }
    /// The server key.
    public var serverKey: String { self.directory + "/server.key" }
    /// A client certificate (CN=ci) from the CA.
    public var clientCertificate: String { self.directory + "/client.pem" }
    /// Its key.
    public var clientKey: String { self.directory + "/client.key" }
    /// A client certificate (CN=ci) from another CA.
    public var rogueCertificate: String { self.directory + "/rogue.pem" }
    /// Its key.
    public var rogueKey: String { self.directory + "/rogue.key" }

    /// Makes every file in a new temporary directory.
    public static func make() throws -> TestCertificates {
        let certificates = TestCertificates(directory: try TestEnvironment.temporaryDirectory())
        let d = certificates.directory
        let steps: [[String]] =
            [
                [
                    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.pem", "-days", "2", "-subj", "/CN=Statehouse Test CA",
                ],
                [
                    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", "\(d)/rogue-ca.key", "-out", "\(d)/rogue-ca.pem", "-days", "2", "-subj", "/CN=Rogue CA",
                ],
            ]
            + (try certificates.leaf(
                "server", ca: "ca", subject: "/CN=localhost", x509Extension: "subjectAltName=IP:127.0.0.1,DNS:localhost"
            ))
            + (try certificates.leaf(
                "client", ca: "ca", subject: "/CN=ci", x509Extension: "extendedKeyUsage=clientAuth"))
            + (try certificates.leaf(
                "rogue", ca: "rogue-ca", subject: "/CN=ci", x509Extension: "extendedKeyUsage=clientAuth"))
        for step in steps {
            let result = try TestEnvironment.run(step)
            guard result.status == 0 else { throw TestEnvironmentError("openssl failed: \(result.output)") }
        }
        return certificates
    }

    /// The commands that make a key and a certificate signed by `ca`, with one X.509 extension.
    private func leaf(_ name: String, ca: String, subject: String, x509Extension: String) throws -> [[String]] {
        let d = self.directory
        try (x509Extension + "\n").write(toFile: "\(d)/\(name).ext", atomically: true, encoding: .utf8)
        return [
            [
                "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", subject,
            ],
            [
                "openssl", "x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/\(ca).pem", "-CAkey",
                "\(d)/\(ca).key",
                "-CAcreateserial", "-out", "\(d)/\(name).pem", "-days", "2", "-extfile", "\(d)/\(name).ext",
            ],
        ]
    }
}
