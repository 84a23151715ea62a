import HTTPTransport
import Testing

@testable import StatehouseCLI

@Suite struct ResponseParserTests {
    /// Feeds `text` in pieces of `size` bytes; returns the response or, at the end, `finish()`'s.
    private func parse(_ text: String, pieces size: Int = 1, closeAtEnd: Bool = true) throws -> HTTPResponse? {
        var parser = ResponseParser()
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: size) {
            if let response = try parser.feed(bytes[start..<min(start + size, bytes.count)]) { return response }
        }
        return closeAtEnd ? try parser.finish() : nil
    }

    @Test(arguments: [1, 3, 1000])
    func readsAContentLengthBody(pieces: Int) throws {
        let response = try #require(
            try self.parse(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}trailing junk",
                pieces: pieces, closeAtEnd: false))
        #expect(response.status == 200 && response.reason == "OK")
        #expect(response.header("content-type") == "application/json")
        #expect(response.text == "{\"a\":1}")
    }

    @Test(arguments: [1, 5, 1000])
    func readsAChunkedBodyWithExtensionsAndTrailers(pieces: Int) throws {
        let response = try #require(
            try self.parse(
                "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4;ext=1\r\n{\"er\r\nA\r\nror\": \"no\"\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n",
                pieces: pieces, closeAtEnd: false))
        #expect(response.status == 404)
        #expect(response.text == "{\"error\": \"no\"}")
    }

    @Test func readsABodyEndedByClose() throws {
        let response = try #require(try self.parse("HTTP/1.0 200 OK\r\n\r\nuntil the end", pieces: 4))
        #expect(response.text == "until the end")
    }

    @Test func skipsInterimResponsesAndKnowsBodylessStatuses() throws {
        let response = try #require(
            try self.parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX: y\r\n\r\n", closeAtEnd: false))
        #expect(response.status == 204 && response.header("X") == "y" && response.body.isEmpty)
    }

    @Test func acceptsBareLineFeeds() throws {
        let response = try #require(try self.parse("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", closeAtEnd: false))
        #expect(response.text == "ok")
    }

    @Test(arguments: [
        ("", "the server closed the connection without answering"),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            "the server closed the connection in the middle of the response"
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            "the server closed the connection in the middle of the response"
        ),
        ("SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP/1.x response: SSH-2.0-OpenSSH"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "invalid Content-Length: 1"),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length: -1"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", "invalid chunk size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n", "chunk data longer than its size"),
        ("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "malformed header line: no colon"),
    ])
    func rejectsBrokenResponses(text: String, message: String) {
        #expect(throws: ResponseError(message)) { try self.parse(text) }
    }

    @Test func limitsTheHead() {
        let huge = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: ResponseParser.maxHeadBytes) + "\r\n\r\n"
        #expect(throws: ResponseError("response head too large")) { try self.parse(huge, pieces: 4096) }
    }

    @Test func limitsTheBodyToWhatTheCallerAllows() throws {
        func parse(_ text: String) throws -> HTTPResponse? {
            var parser = ResponseParser(maxBodyBytes: 4)
            return try parser.feed(Array(text.utf8)) ?? parser.finish()
        }
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd")?.text == "abcd")
        #expect(throws: ResponseError("invalid Content-Length: 5")) {
            try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde")
        }
        #expect(throws: ResponseError("response body too large")) {
            try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n")
        }
        #expect(throws: ResponseError("response body too large")) { try parse("HTTP/1.1 200 OK\r\n\r\nabcde") }
    }
}
