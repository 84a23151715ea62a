import Foundation
import HTTPTestSupport
import PasswordAuth
import Testing

/// The real binary refuses from the head: clients that announce huge bodies without a login, or
/// with a login that may not write, cost the server almost no memory however much they send.
@Suite struct HeadRefusalMemoryTests {
    static let clients = 100
    static let announced = 64 << 20

    @Test func clientsAnnouncingHugeBodiesWithoutTheRightLoginCostAFewMiB() throws {
        let server = try ServerProcess(
            arguments: ["serve"],
            environment: [
                "STATEHOUSE_SERVER_PORT": "0", "STATEHOUSE_STORAGE_DRIVER": "memory",
                // viewer / pw: read access only.
                "STATEHOUSE_USERS":
                    #"[{ name = "viewer", password_hash = "\#(PasswordHash.make(password: "pw", iterations: 1000))", grants = { "*" = "read" } }]"#,
            ])
        let port = try #require(server.waitForPort(), "\(server.standardOutput)\(server.standardError)")
        let head = { (index: Int, login: String) in
            "PUT /state/team/app\(index) HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(Self.announced)\r\n\(login)\r\n"
        }
        // Warm the server up with one of each, so that what is measured is what more clients cost.
        for login in ["", "Authorization: Basic dmlld2VyOnB3\r\n"] {
            let client = try TestClient(port: port)
            try client.send(head(0, login))
            _ = try client.readResponse()
        }
        let before = try server.residentBytes()
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        var open: [TestClient] = []
        for index in 0..<Self.clients {
            // Half without a login, half as a user who may only read.
            let login = index.isMultiple(of: 2) ? "" : "Authorization: Basic dmlld2VyOnB3\r\n"
            let client = try TestClient(port: port)
            try client.send(head(index, login))
            try client.send(chunk)
            open.append(client)
        }
        for (index, client) in open.enumerated() {
            #expect(try client.readResponse().status == (index.isMultiple(of: 2) ? 401 : 403))
        }
        // Every connection is still open (the server lingers on each), and none was read past its
        // first packets.
        let growth = try server.residentBytes() - before
        #expect(growth < 8 << 20, "RSS grew by \(growth >> 10) KiB for \(Self.clients) clients")
    }
}
