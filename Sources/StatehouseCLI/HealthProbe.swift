import HTTPTransport

/// The container health check: asks a server on this machine whether it is alive.
public enum HealthProbe {
    /// `nil` when `GET /healthz` on `host:port` answers 200 within `timeout`; otherwise why
    /// not. Over TLS only the TCP connection is checked (the server's certificate does not name
    /// a loopback address, and it may require a client certificate).
    public static func check(host: String, port: Int, tls: Bool, timeout: Duration) -> String? {
        if tls {
            do {
                _ = try TCPConnection.connect(host: host, port: port, timeout: timeout)
                return nil
            } catch {
                return "cannot connect to \(host):\(port): \(error.description)"
            }
        }
        do {
            let server = try ServerURL(parsing: "http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            let response = try HTTPClient(server: server, timeout: timeout).send(
                HTTPRequest(method: "GET", target: "/healthz"))
            return response.status == 200 ? nil : "GET /healthz answered \(response.status)"
        } catch {
            return error.description
        }
    }
}
