import APITypes
import HTTPTransport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Talks to the management API: adds the headers every call carries, turns error answers into
/// ``CLIError``s and decodes JSON bodies.
public struct APIClient: Sendable {
    /// Sent as `User-Agent: statehouse-cli/<version>`; kept in step with `statehouse --version`.
    public static let version = "0.1.0"

    /// The HTTP transport.
    public let http: HTTPClient
    /// The `Authorization` header value, when credentials are configured.
    private let authorization: String?

    /// A client that authenticates with HTTP Basic when `user` and `password` are given (a TLS
    /// client certificate, if configured in `http`, authenticates otherwise).
    public init(http: HTTPClient, user: String? = nil, password: String? = nil) {
        self.http = http
        self.authorization = user.map { user in
            "Basic " + Data("\(user):\(password ?? "")".utf8).base64EncodedString()
        }
    }

    /// Sends `method` to `endpoint` with an optional JSON body; returns the 2xx response or throws
    /// the server's error.
    func call(_ method: String, _ endpoint: Endpoint, body: (some Encodable)? = Never?.none) throws(CLIError)
        -> HTTPResponse
    {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/json"), ("User-Agent", "statehouse-cli/\(APIClient.version)"),
        ]
        if let authorization = self.authorization { headers.append(("Authorization", authorization)) }
        var bytes: [UInt8]? = nil
        // The server asks for the JSON type on every POST, with or without a body.
        if body != nil || method == "POST" { headers.append(("Content-Type", "application/json")) }
        if let body {
            do {
                bytes = Array(try APIJSON.encoder.encode(body))
            } catch {
                throw .usage("cannot encode the request body: \(error)")
            }
        }
        let response = try self.http.send(
            HTTPRequest(
                method: method, target: endpoint.target(basePath: self.http.server.basePath), headers: headers,
                body: bytes))
        guard (200...299).contains(response.status) else {
            throw .answer(
                response, server: self.http.server.description, sentCredentials: self.authorization != nil)
        }
        return response
    }

    /// Decodes the JSON body of `response` as `type`.
    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse) throws(CLIError) -> T {
        do {
            return try APIJSON.decoder.decode(type, from: Data(response.body))
        } catch {
            throw .invalidResponse(server: self.http.server.description, reason: APIClient.describe(error))
        }
    }

    /// A decoding failure in one line: what is wrong and where, such as `states[0].name: missing`.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        let (path, problem): ([any CodingKey], String) =
            switch error {
            case .keyNotFound(let key, let context): (context.codingPath + [key], "missing")
            case .valueNotFound(_, let context): (context.codingPath, "unexpected null")
            case .typeMismatch(let type, let context): (context.codingPath, "expected \(type)")
            case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
            @unknown default: ([], "\(error)")
            }
        let location = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return "unexpected JSON" + (location.isEmpty ? "" : " at \(location.drop { $0 == "." })") + ": \(problem)"
    }
}
