import Testing

@testable import HTTPServer

/// A request as the parser delivers it: head plus the concatenated body parts.
struct ParsedRequest: Equatable {
    var head: RequestHead
    var body: [UInt8]
}

/// Everything the parser produced from some input, and how it ended.
struct ParseOutcome: Equatable {
    var requests: [ParsedRequest] = []
    var failure: HTTPError? = nil
    /// Bytes of an incomplete request still buffered at the end.
    var incomplete = false
}

let testLimits = RequestParser.Limits(
    maxRequestLineBytes: 1024, maxHeaderBytes: 4096, maxHeaderCount: 20, maxBodyBytes: 1 << 20)

/// Feeds `input` split at `cuts` and collects every event.
func parse(_ input: [UInt8], cuts: [Int] = [], limits: RequestParser.Limits = testLimits) -> ParseOutcome {
    var parser = RequestParser(limits: limits)
    var outcome = ParseOutcome()
    var current: ParsedRequest? = nil
    var start = 0
    for end in (cuts.filter { $0 > 0 && $0 < input.count }.sorted() + [input.count]) where end >= start {
        parser.append(input[start..<end])
        start = end
        loop: while true {
            switch parser.next() {
            case .needMoreData: break loop
            case .head(let head): current = ParsedRequest(head: head, body: [])
            case .body(let part): current!.body += part
            case .end:
                outcome.requests.append(current!)
                current = nil
            case .failure(let error):
                outcome.failure = error
                return outcome
            }
        }
    }
    outcome.incomplete = current != nil || !parser.isIdle
    return outcome
}

func parse(_ text: String, limits: RequestParser.Limits = testLimits) -> ParseOutcome {
    parse(Array(text.utf8), limits: limits)
}

/// A small deterministic generator (SplitMix64), so a failing split can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RequestParserTests {
    @Test func parsesASimpleGet() throws {
        let outcome = parse("GET /state/a?x=1 HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n")
        #expect(outcome.failure == nil)
        let request = try #require(outcome.requests.first)
        #expect(request.head.method == "GET")
        #expect(request.head.target.path == "/state/a")
        #expect(request.head.target.queryValue("x") == "1")
        #expect(request.head.version == .http11)
        #expect(request.head.headers["accept-encoding"] == "gzip")
        #expect(request.body.isEmpty)
    }

    @Test(arguments: ["LOCK", "UNLOCK", "PURGE", "X-CUSTOM_1"])
    func anyMethodTokenIsAccepted(method: String) throws {
        let outcome = parse("\(method) /lock/a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}")
        #expect(outcome.requests.first?.head.method == method)
        #expect(outcome.requests.first?.body == Array("{}".utf8))
    }

    @Test func decodesPathAndQuery() throws {
        let outcome = parse("POST /state/team%2Fapp/pr%C3%A9?ID=a%20b&x=1+2&flag HTTP/1.1\r\nHost: h\r\n\r\n")
        let head = try #require(outcome.requests.first?.head)
        #expect(head.target.path == "/state/team/app/pré")
        #expect(head.target.rawPath == "/state/team%2Fapp/pr%C3%A9")
        #expect(
            head.target.query == [
                .init(name: "ID", value: "a b"), .init(name: "x", value: "1 2"), .init(name: "flag", value: ""),
            ])
    }

    @Test func acceptsAbsoluteFormTargets() throws {
        let outcome = parse("GET http://example.com:8080/healthz?a=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(outcome.requests.first?.head.target.path == "/healthz")
        #expect(outcome.requests.first?.head.target.queryValue("a") == "1")
    }

    @Test func readsAContentLengthBody() {
        let outcome = parse("POST /s HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
        #expect(outcome.requests.map(\.body) == [Array("hello".utf8)])
    }

    @Test func readsAChunkedBodyIgnoringExtensionsAndTrailers() {
        let outcome = parse(
            "POST /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n")
        #expect(outcome.failure == nil)
        #expect(outcome.requests.map(\.body) == [Array("hello world".utf8)])
    }

    @Test func readsAnEmptyChunkedBody() {
        // Terraform's force-unlock sends exactly this.
        let outcome = parse("UNLOCK /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(outcome.requests.count == 1)
        #expect(outcome.requests.first?.body == [])
        #expect(outcome.incomplete == false)
    }

    @Test func acceptsIdenticalDuplicateContentLengths() {
        let outcome = parse("POST /s HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok")
        #expect(outcome.requests.first?.body == Array("ok".utf8))
    }

    @Test func parsesPipelinedRequestsInOrder() {
        let outcome = parse(
            "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nxGET /3 HTTP/1.1\r\nHost: h\r\n\r\n"
        )
        #expect(outcome.requests.map(\.head.target.path) == ["/1", "/2", "/3"])
        #expect(outcome.requests[1].body == [UInt8(ascii: "x")])
    }

    @Test func toleratesBareLineFeedsAndLeadingEmptyLines() {
        let outcome = parse("\r\n\nGET / HTTP/1.1\nHost: h\n\n")
        #expect(outcome.requests.count == 1)
    }

    @Test func treatsHTTP10WithoutHost() throws {
        let outcome = parse("GET / HTTP/1.0\r\n\r\n")
        let head = try #require(outcome.requests.first?.head)
        #expect(head.version == .http10)
        #expect(head.wantsKeepAlive == false)
    }

    @Test func keepAliveFollowsVersionAndConnectionHeader() throws {
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n").requests.first?.head.wantsKeepAlive == true)
        #expect(
            parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").requests.first?.head.wantsKeepAlive == false
        )
        #expect(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").requests.first?.head.wantsKeepAlive == true)
    }

    @Test func strayLineEndingsBetweenRequestsAreIdle() {
        var parser = RequestParser(limits: testLimits)
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n".utf8))
        guard case .head = parser.next(), parser.next() == .end else {
            Issue.record("request not parsed")
            return
        }
        #expect(parser.next() == .needMoreData)
        #expect(parser.isIdle)
    }

    @Test func reportsIncompleteInput() {
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n").incomplete)
        #expect(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc").incomplete)
        #expect(!parse("").incomplete)
    }

    @Test func expectsBodyOnlyWhenOneFollows() {
        var parser = RequestParser(limits: testLimits)
        parser.append(Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n".utf8))
        guard case .head = parser.next() else {
            Issue.record("no head")
            return
        }
        #expect(parser.expectsBody)
        var empty = RequestParser(limits: testLimits)
        empty.append(Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n".utf8))
        guard case .head = empty.next() else {
            Issue.record("no head")
            return
        }
        #expect(!empty.expectsBody)
    }

    /// The corpus for the split property: each input, whole, must parse the same however split.
    static let corpus: [String] = [
        "GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
        "POST /state/x?ID=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"serial\":1,\"a\":2}GET /b HTTP/1.1\r\nHost: h\r\n\r\n",
        "LOCK /lock/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"I\r\nA;ext=1\r\nD\":\"abc\"}  \r\n0\r\nT: 1\r\n\r\nUNLOCK /lock/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /%7Euser?q=a+b HTTP/1.1\r\nHost: h\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
        // Found by FuzzRequestParser: a byte that can never be in a request line was refused as
        // "invalid byte" when the line came in pieces but otherwise when it came whole.
        "\r\n\u{5}\u{0} / HTTP/1.1\r\nHost: h\r\n\r\n",
        "\u{16}\u{3}\u{1} / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /\u{7F}" + String(repeating: "a", count: 1100) + " HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /" + String(repeating: "a", count: 1100) + "\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n",
    ]

    @Test(arguments: corpus)
    func sameResultWholeByteByByteAndInRandomSplits(input: String) {
        let bytes = Array(input.utf8)
        let whole = parse(bytes)
        #expect(parse(bytes, cuts: Array(0..<bytes.count)) == whole, "byte by byte")
        var generator = SplitMix64(state: UInt64(bytes.count))
        for _ in 0..<200 {
            let cuts = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                Int.random(in: 0...bytes.count, using: &generator)
            }
            #expect(parse(bytes, cuts: cuts) == whole, "cuts \(cuts)")
        }
    }

    @Test func largeBodiesSurviveRandomSplits() {
        var generator = SplitMix64(state: 42)
        let body = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let input = Array("PUT /big HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        let cuts = (0..<50).map { _ in Int.random(in: 0...input.count, using: &generator) }
        #expect(parse(input, cuts: cuts).requests.first?.body == body)
    }

    /// Malformed or oversized input and the status it must get.
    static let malformed: [(String, String, Int)] = [
        ("empty method", " / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("two spaces", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("missing version", "GET /\r\nHost: h\r\n\r\n", 400),
        ("lowercase version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400),
        ("garbage version", "GET / HTTP/1.x\r\nHost: h\r\n\r\n", 400),
        ("relative target", "GET state HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("bad percent escape", "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("encoded NUL", "GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("invalid UTF-8 once decoded", "GET /a%FF HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("NUL in request line", "GET /a\u{0}b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("NUL in header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n", 400),
        ("control byte in header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u{1b}b\r\n\r\n", 400),
        ("bare CR in header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400),
        ("space in header name", "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),
        ("header without colon", "GET / HTTP/1.1\r\nHost: h\r\nnocolon\r\n\r\n", 400),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  b\r\n\r\n", 400),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        (
            "Content-Length with chunked",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400
        ),
        (
            "conflicting Content-Length",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400
        ),
        ("conflicting Content-Length list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd", 400),
        ("negative Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
        ("non-numeric Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1e3\r\n\r\n", 400),
        ("huge Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400),
        ("empty chunk size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400),
        ("negative chunk size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", 400),
        (
            "overflowing chunk size",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400
        ),
        (
            "chunk longer than its size",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400
        ),
        ("chunked twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
        (
            "bare LF after chunk size",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n", 400
        ),
        (
            "bare LF after chunk data",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\n0\r\n\r\n", 400
        ),
        ("bare LF in trailers", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n", 400),
        ("chunked not last", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("unknown transfer coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("chunked in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
        ("HTTP/3", "GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505),
        ("too many empty lines", String(repeating: "\r\n", count: 20) + "GET / HTTP/1.1\r\n", 400),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedInput(name: String, input: String, status: Int) {
        let outcome = parse(input)
        #expect(outcome.failure?.status.code == status, "\(name): \(String(describing: outcome.failure))")
        #expect(outcome.requests.isEmpty, "\(name)")
    }

    @Test func rejectsATLSClientHelloAtOnce() {
        // The first bytes of a ClientHello: no line ending needed to know it is not HTTP.
        let outcome = parse([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03])
        #expect(outcome.failure == HTTPError(.badRequest, "TLS handshake on a plain HTTP port"))
    }

    @Test func rejectsBinaryGarbageBeforeALineEnds() {
        #expect(parse([0x47, 0x45, 0x54, 0x00, 0xFF]).failure?.status == .badRequest)
    }

    @Test func enforcesRequestLineLimitWith414() {
        let long = "GET /" + String(repeating: "a", count: 2000) + " HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(parse(long).failure?.status == .uriTooLong)
        // Also before the line ends: the limit must not wait for a newline that never comes.
        #expect(parse("GET /" + String(repeating: "a", count: 2000)).failure?.status == .uriTooLong)
    }

    @Test func enforcesHeaderSectionLimitWith431() {
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 5000) + "\r\n\r\n"
        #expect(parse(big).failure?.status == .requestHeaderFieldsTooLarge)
        let unterminated = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 5000)
        #expect(parse(unterminated).failure?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func enforcesHeaderCountLimitWith431() {
        let many = "GET / HTTP/1.1\r\nHost: h\r\n" + (0..<25).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        #expect(parse(many).failure?.status == .requestHeaderFieldsTooLarge)
    }

    @Test func enforcesBodyLimitWith413() {
        let limits = RequestParser.Limits(
            maxRequestLineBytes: 1024, maxHeaderBytes: 4096, maxHeaderCount: 20, maxBodyBytes: 10)
        #expect(
            parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: limits).failure?.status
                == .contentTooLarge)
        #expect(
            parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits).requests.count
                == 1)
        let chunked =
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n"
        #expect(parse(chunked, limits: limits).failure?.status == .contentTooLarge)
    }

    @Test func repeatsItsFailure() {
        var parser = RequestParser(limits: testLimits)
        parser.append(Array("BAD\r\n".utf8))
        let first = parser.next()
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(parser.next() == first)
    }
}
