import HTTPServer

extension FuzzTarget {
    /// Any bytes as a stream of HTTP/1.1 requests.
    public static let requestParser = FuzzTarget(name: "FuzzRequestParser", property: RequestParserProperty.check)
}

/// What `RequestParser` promises for any bytes: the same events however the bytes are split; no
/// head, field or body past its limit; a bounded number of bytes held before it says something;
/// a failure it keeps repeating; and heads that, written out again, parse the same.
enum RequestParserProperty {
    /// Small limits, so that inputs of a few KiB reach every one of them.
    static let limits = RequestParser.Limits(
        maxRequestLineBytes: 256, maxHeaderBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 2048)
    /// The body limit of LOCK and UNLOCK requests, lowered after their head as the server does
    /// for lock bodies.
    static let lockBodyLimit = 512
    /// RequestParser's longest chunk-size line (hex size and extensions).
    static let maxChunkLineBytes = 4096
    /// Most bytes the parser may take before a head (or failure): up to 8 tolerated empty lines
    /// and the failing ninth, the request line and the header section, each with its line ending.
    static let maxBytesBeforeHead = 2 * 9 + (limits.maxRequestLineBytes + 2) + (limits.maxHeaderBytes + 4)
    /// Most bytes the parser may take inside a body without an event: the CRLF after a chunk's
    /// data, a chunk-size line, and the trailer section after the last chunk.
    static let maxBytesInBody = 2 + (maxChunkLineBytes + 2) + (limits.maxHeaderBytes + 4)
    /// The statuses the parser may fail with.
    static let failureStatuses: Set<Int> = [400, 413, 414, 431, 501, 505]

    /// An event, with the body as one part per run of body events (their split is the feeder's).
    enum Observed: Equatable {
        case head(RequestHead)
        case body([UInt8])
        case end
        case failure(HTTPError)
    }

    /// Everything the parser said about some input, and whether it was idle at the end.
    struct Outcome: Equatable {
        var events: [Observed] = []
        var idleAtEnd = false
    }

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let whole = try self.parse(input, cuts: [])
        try self.checkRequests(whole.events)
        let byteByByte = try self.parse(input, cuts: Array(input.indices), boundingBuffer: true)
        try require(byteByByte == whole, "byte by byte: \(byteByByte) but whole: \(whole)")
        var generator = SplitMix64(seededBy: input)
        for _ in 0..<2 {
            let cuts = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                Int.random(in: 0...input.count, using: &generator)
            }
            let split = try self.parse(input, cuts: cuts)
            try require(split == whole, "split at \(cuts.sorted()): \(split) but whole: \(whole)")
        }
    }

    /// Feeds `input` cut at `cuts` and collects the events, checking what holds at each step. With
    /// `boundingBuffer` (for cuts at every byte, where no byte is left over after an event) it
    /// checks that the parser never takes more bytes than its limits allow without an event.
    static func parse(_ input: [UInt8], cuts: [Int], boundingBuffer: Bool = false) throws(PropertyViolation)
        -> Outcome
    {
        var parser = RequestParser(limits: self.limits)
        var outcome = Outcome()
        var inBody = false
        var fedSinceEvent = 0
        var start = 0
        for end in cuts.filter({ $0 > 0 && $0 < input.count }).sorted() + [input.count] where end > start {
            parser.append(input[start..<end])
            fedSinceEvent += end - start
            start = end
            while true {
                let event = parser.next()
                switch event {
                case .needMoreData:
                    break
                case .head(let head):
                    try self.checkHeadState(head, parser)
                    if head.method == "LOCK" || head.method == "UNLOCK" {
                        let announced = parser.announcedBodyLength ?? 0
                        parser.limitBody(to: self.lockBodyLimit)
                        try require(
                            announced <= self.lockBodyLimit || parser.failure?.status.code == 413,
                            "a \(head.method) announcing \(announced) bytes not refused at once")
                    }
                    outcome.events.append(.head(head))
                    inBody = true
                case .body(let part):
                    try require(!part.isEmpty, "an empty body part")
                    if case .body(let earlier) = outcome.events.last {
                        outcome.events[outcome.events.count - 1] = .body(earlier + part)
                    } else {
                        outcome.events.append(.body(part))
                    }
                case .end:
                    outcome.events.append(.end)
                    inBody = false
                case .failure(let error):
                    try require(parser.next() == event, "a second next() after \(error) said something else")
                    parser.append([0x0D, 0x0A])
                    try require(parser.next() == event, "more bytes after \(error) gave something else")
                    outcome.events.append(.failure(error))
                    return outcome
                }
                if event == .needMoreData { break }
                fedSinceEvent = 0
            }
            let bound = inBody ? self.maxBytesInBody : self.maxBytesBeforeHead
            if boundingBuffer {
                try require(fedSinceEvent <= bound, "\(fedSinceEvent) bytes taken without an event (bound \(bound))")
            }
        }
        outcome.idleAtEnd = parser.isIdle
        return outcome
    }

    /// What the parser says about the body right after a head.
    static func checkHeadState(_ head: RequestHead, _ parser: RequestParser) throws(PropertyViolation) {
        let length = self.announcedLength(head)
        try require(
            parser.announcedBodyLength == length,
            "announced \(String(describing: parser.announcedBodyLength)) for \(String(describing: length))")
        try require(parser.expectsBody == (length.map { $0 > 0 } ?? true), "expectsBody \(parser.expectsBody)")
    }

    /// The body length a head announces, read from its fields: `nil` when chunked, else its
    /// `Content-Length` (a list of equal values once the head is accepted) or 0; -1 for a value
    /// the parser should not have accepted.
    static func announcedLength(_ head: RequestHead) -> Int? {
        if head.headers.contains("Transfer-Encoding") { return nil }
        guard let value = head.headers["Content-Length"] else { return 0 }
        let first = value.split(separator: ",").first?.filter { $0 != " " && $0 != "\t" }
        return first.flatMap { Int($0) } ?? -1
    }

    /// Checks each request against the limits, and each head written out again.
    static func checkRequests(_ events: [Observed]) throws(PropertyViolation) {
        var bodyLimit = self.limits.maxBodyBytes
        var announced: Int? = nil
        var bodyBytes = 0
        for event in events {
            switch event {
            case .head(let head):
                try self.checkLimits(head)
                try self.checkReparse(head)
                let lock = head.method == "LOCK" || head.method == "UNLOCK"
                bodyLimit = lock ? self.lockBodyLimit : self.limits.maxBodyBytes
                announced = self.announcedLength(head)
                bodyBytes = 0
            case .body(let part):
                bodyBytes += part.count
                try require(bodyBytes <= bodyLimit, "\(bodyBytes) body bytes past the limit of \(bodyLimit)")
            case .end:
                if let announced {
                    try require(bodyBytes == announced, "a body of \(bodyBytes) bytes for Content-Length \(announced)")
                }
            case .failure(let error):
                try require(
                    self.failureStatuses.contains(error.status.code), "failed with \(error.status.code): \(error)")
                try require(!error.message.isEmpty, "a failure without a sentence: \(error)")
            }
        }
    }

    /// The request line and header section within their limits.
    static func checkLimits(_ head: RequestHead) throws(PropertyViolation) {
        let requestLine = head.method.utf8.count + 1 + head.rawTarget.utf8.count + 1 + "HTTP/1.1".utf8.count
        try require(requestLine <= self.limits.maxRequestLineBytes, "a \(requestLine)-byte request line")
        try require(head.headers.count <= self.limits.maxHeaderCount, "\(head.headers.count) header fields")
        // Values count in scalars: an invalid UTF-8 byte reads as U+FFFD, 3 bytes. The last
        // line's CRLF is not counted against the limit.
        let fieldBytes = head.headers.reduce(0) { $0 + $1.name.utf8.count + 1 + $1.value.unicodeScalars.count + 2 }
        try require(fieldBytes <= self.limits.maxHeaderBytes + 2, "a \(fieldBytes)-byte header section")
    }

    /// A head written out again parses to the same head.
    static func checkReparse(_ head: RequestHead) throws(PropertyViolation) {
        var text = "\(head.method) \(head.rawTarget) \(head.version == .http10 ? "HTTP/1.0" : "HTTP/1.1")\r\n"
        for field in head.headers { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        var parser = RequestParser(
            limits: .init(
                maxRequestLineBytes: 1 << 16, maxHeaderBytes: 1 << 16, maxHeaderCount: 1 << 10,
                maxBodyBytes: self.limits.maxBodyBytes))
        parser.append(Array(text.utf8))
        let again = parser.next()
        try require(again == .head(head), "\(head) written out as \(text.debugDescription) parses as \(again)")
    }
}
