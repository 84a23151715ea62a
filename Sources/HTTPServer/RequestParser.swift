import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An incremental HTTP/1.1 request parser: a pure state machine fed bytes.
///
/// Feed it with ``append(_:)`` and pull events with ``next()`` until it answers
/// ``Event/needMoreData``. A request comes out as one ``Event/head(_:)``, zero or more
/// ``Event/body(_:)`` parts and one ``Event/end``; the next pipelined request follows. Any
/// protocol violation or exceeded limit ends in ``Event/failure(_:)``, after which the parser
/// only repeats that failure: the connection must answer it and close.
///
/// The parser does no I/O and never blocks, so the same bytes give the same events however they
/// are split.
public struct RequestParser: Sendable {
    /// Size limits, each answered with its own status.
    public struct Limits: Equatable, Sendable {
        /// Longest request line (method, target, version) in bytes; longer is 414.
        public var maxRequestLineBytes: Int
        /// Largest header section (all field lines) in bytes; larger is 431.
        public var maxHeaderBytes: Int
        /// Most header fields; more is 431.
        public var maxHeaderCount: Int
        /// Largest body in bytes, by `Content-Length` or de-chunked; larger is 413.
        public var maxBodyBytes: Int

        /// Creates limits.
        public init(maxRequestLineBytes: Int, maxHeaderBytes: Int, maxHeaderCount: Int, maxBodyBytes: Int) {
            self.maxRequestLineBytes = maxRequestLineBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// What the parser has found.
    public enum Event: Equatable, Sendable {
        /// Nothing more can be parsed until more bytes arrive.
        case needMoreData
        /// A complete request head.
        case head(RequestHead)
        /// The next part of the current request's body.
        case body([UInt8])
        /// The current request is complete.
        case end
        /// The input is malformed or over a limit; answer this and close.
        case failure(HTTPError)
    }

    private enum State: Equatable {
        case requestLine
        case headerFields
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case complete
        case failed(HTTPError)
    }

    private enum Line {
        case line(Range<Int>)
        case incomplete
        case tooLong
        case bareLineFeed
    }

    /// Longest chunk-size line we accept (hex size plus extensions).
    private static let maxChunkLineBytes = 4096
    /// Empty lines tolerated before a request line (RFC 9112 §2.2).
    private static let maxLeadingEmptyLines = 8

    private let limits: Limits
    private var state: State = .requestLine
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var scanIndex = 0

    private var leadingEmptyLines = 0
    private var method = ""
    private var rawTarget = ""
    private var version = HTTPVersion.http11
    private var fields: [HTTPHeaders.Field] = []
    private var headerBytes = 0
    private var chunkedBodyBytes = 0
    /// The current request's body limit: the configured one, or lower once the responder says so.
    private var bodyLimit: Int

    /// A parser enforcing `limits`.
    public init(limits: Limits) {
        self.limits = limits
        self.bodyLimit = limits.maxBodyBytes
    }

    /// Adds bytes received from the peer.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        self.compact()
        self.buffer.append(contentsOf: bytes)
    }

    /// Adds bytes received from the peer.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        self.compact()
        self.buffer.append(contentsOf: bytes)
    }

    /// `true` between requests with no byte of the next one received yet (stray CR/LF bytes
    /// between requests do not count).
    public var isIdle: Bool {
        self.state == .requestLine
            && self.buffer[self.readIndex...].allSatisfy { $0 == 0x0D || $0 == 0x0A }
    }

    /// The body length the current request announced with `Content-Length`, while none of it has
    /// been taken; `nil` for a chunked body.
    public var announcedBodyLength: Int? {
        if case .fixedBody(let remaining) = self.state { return remaining }
        return nil
    }

    /// Lowers the current request's body limit to `maxBytes` (after its head, before its body).
    /// A `Content-Length` already over it fails the parser with 413 at once; a chunked body fails
    /// when its chunks pass it.
    public mutating func limitBody(to maxBytes: Int) {
        self.bodyLimit = min(self.bodyLimit, max(0, maxBytes))
        if case .fixedBody(let remaining) = self.state, remaining > self.bodyLimit {
            self.state = .failed(self.bodyTooLarge())
        }
    }

    /// The error the parser failed with, if it has; it then only repeats it.
    public var failure: HTTPError? {
        if case .failed(let error) = self.state { return error }
        return nil
    }

    /// `true` after a head when a body follows (`Content-Length` > 0 or chunked).
    public var expectsBody: Bool {
        switch self.state {
        case .fixedBody(let remaining): remaining > 0
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers: true
        default: false
        }
    }

    /// Parses as far as the buffered bytes allow and returns the next event.
    public mutating func next() -> Event {
        while true {
            switch self.state {
            case .failed(let error):
                return .failure(error)
            case .complete:
                self.state = .requestLine
                return .end
            case .requestLine:
                switch self.nextLine(limit: self.limits.maxRequestLineBytes) {
                case .bareLineFeed:
                    return self.fail(HTTPError(.badRequest, "bare LF"))
                case .incomplete:
                    if let error = self.invalidPartialRequestLine() { return self.fail(error) }
                    return .needMoreData
                case .tooLong:
                    return self.fail(
                        HTTPError(.uriTooLong, "request line longer than \(self.limits.maxRequestLineBytes) bytes"))
                case .line(let range):
                    if range.isEmpty {
                        self.leadingEmptyLines += 1
                        if self.leadingEmptyLines > RequestParser.maxLeadingEmptyLines {
                            return self.fail(HTTPError(.badRequest, "too many empty lines before the request line"))
                        }
                        continue
                    }
                    if let error = self.parseRequestLine(range) { return self.fail(error) }
                    self.state = .headerFields
                }
            case .headerFields:
                let budget = self.limits.maxHeaderBytes - self.headerBytes
                switch self.nextLine(limit: max(budget, 0)) {
                case .bareLineFeed:
                    return self.fail(HTTPError(.badRequest, "bare LF"))
                case .incomplete:
                    return .needMoreData
                case .tooLong:
                    return self.fail(
                        HTTPError(
                            .requestHeaderFieldsTooLarge,
                            "header section larger than \(self.limits.maxHeaderBytes) bytes"))
                case .line(let range):
                    if range.isEmpty {
                        return self.finishHead()
                    }
                    self.headerBytes += range.count + 2
                    if let error = self.parseField(range) { return self.fail(error) }
                }
            case .fixedBody(let remaining):
                if remaining == 0 {
                    self.state = .complete
                    continue
                }
                guard let part = self.takeBody(upTo: remaining) else { return .needMoreData }
                self.state = .fixedBody(remaining: remaining - part.count)
                return .body(part)
            case .chunkSize:
                switch self.nextLine(limit: RequestParser.maxChunkLineBytes, crlf: true) {
                case .bareLineFeed:
                    return self.fail(HTTPError(.badRequest, "chunk size line must end with CRLF"))
                case .incomplete:
                    return .needMoreData
                case .tooLong:
                    return self.fail(HTTPError(.badRequest, "chunk size line too long"))
                case .line(let range):
                    guard let size = self.parseChunkSize(range) else {
                        return self.fail(HTTPError(.badRequest, "malformed chunk size"))
                    }
                    if size == 0 {
                        self.headerBytes = 0
                        self.state = .trailers
                        continue
                    }
                    if size > self.bodyLimit - self.chunkedBodyBytes {
                        return self.fail(self.bodyTooLarge())
                    }
                    self.chunkedBodyBytes += size
                    self.state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                guard let part = self.takeBody(upTo: remaining) else { return .needMoreData }
                let left = remaining - part.count
                self.state = left == 0 ? .chunkDataEnd : .chunkData(remaining: left)
                return .body(part)
            case .chunkDataEnd:
                let available = self.buffer.count - self.readIndex
                guard available > 0 else { return .needMoreData }
                let first = self.buffer[self.readIndex]
                if first == 0x0D && available < 2 { return .needMoreData }
                if first == 0x0D && self.buffer[self.readIndex + 1] == 0x0A {
                    self.readIndex += 2
                } else {
                    return self.fail(HTTPError(.badRequest, "chunk data not followed by CRLF"))
                }
                self.scanIndex = self.readIndex
                self.state = .chunkSize
            case .trailers:
                let budget = self.limits.maxHeaderBytes - self.headerBytes
                switch self.nextLine(limit: max(budget, 0), crlf: true) {
                case .bareLineFeed:
                    return self.fail(HTTPError(.badRequest, "trailer line must end with CRLF"))
                case .incomplete:
                    return .needMoreData
                case .tooLong:
                    return self.fail(HTTPError(.requestHeaderFieldsTooLarge, "trailer section too large"))
                case .line(let range):
                    // Trailer fields are read past and ignored.
                    self.headerBytes += range.count + 2
                    if range.isEmpty { self.state = .complete }
                }
            }
        }
    }

    // MARK: - Lines

    /// Finds the next line ending in LF (an optional CR before it is dropped), at most `limit`
    /// bytes long without its line ending. With `crlf`, a bare LF is refused (chunked framing
    /// must use CRLF, RFC 9112 §7.1; accepting less invites request smuggling behind proxies).
    private mutating func nextLine(limit: Int, crlf: Bool = false) -> Line {
        let end = self.buffer.count
        let found: Int? = self.buffer.withUnsafeBufferPointer { bytes in
            guard self.scanIndex < end, let base = bytes.baseAddress else { return nil }
            guard let hit = memchr(base + self.scanIndex, 0x0A, end - self.scanIndex) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        guard let newline = found else {
            self.scanIndex = end
            return end - self.readIndex > limit + 1 ? .tooLong : .incomplete
        }
        var lineEnd = newline
        if lineEnd > self.readIndex && self.buffer[lineEnd - 1] == 0x0D {
            lineEnd -= 1
        } else if crlf {
            return .bareLineFeed
        }
        let range = self.readIndex..<lineEnd
        self.readIndex = newline + 1
        self.scanIndex = self.readIndex
        return range.count > limit ? .tooLong : .line(range)
    }

    private mutating func takeBody(upTo remaining: Int) -> [UInt8]? {
        let available = self.buffer.count - self.readIndex
        guard available > 0 else { return nil }
        let count = min(available, remaining)
        let part = Array(self.buffer[self.readIndex..<self.readIndex + count])
        self.readIndex += count
        self.scanIndex = self.readIndex
        return part
    }

    /// Frees the buffer's storage when every byte in it has been consumed, so a connection that
    /// waits for its next request holds no memory for it.
    mutating func releaseConsumedStorage() {
        guard self.readIndex == self.buffer.count else { return }
        self.buffer = []
        self.readIndex = 0
        self.scanIndex = 0
    }

    /// Drops consumed bytes once they dominate the buffer, so it never grows without bound.
    private mutating func compact() {
        guard self.readIndex > 0 else { return }
        if self.readIndex == self.buffer.count {
            self.buffer.removeAll(keepingCapacity: self.buffer.capacity <= 1 << 20)
        } else if self.readIndex >= 4096 && self.readIndex * 2 >= self.buffer.count {
            self.buffer.removeSubrange(0..<self.readIndex)
        } else {
            return
        }
        self.scanIndex -= self.readIndex
        self.readIndex = 0
    }

    private mutating func fail(_ error: HTTPError) -> Event {
        self.state = .failed(error)
        return .failure(error)
    }

    // MARK: - Request line

    /// Rejects at once a request line that can never become valid, such as a TLS ClientHello
    /// or binary garbage, instead of waiting for a line ending that may never come.
    private func invalidPartialRequestLine() -> HTTPError? {
        for index in self.readIndex..<self.buffer.count {
            let byte = self.buffer[index]
            if byte == 0x16 && index == self.readIndex {
                return HTTPError(.badRequest, "TLS handshake on a plain HTTP port")
            }
            if !(0x21...0x7E).contains(byte) && byte != 0x20 && byte != 0x0D {
                return HTTPError(.badRequest, "invalid byte in request line")
            }
        }
        return nil
    }

    private mutating func parseRequestLine(_ range: Range<Int>) -> HTTPError? {
        let line = self.buffer[range]
        let parts = line.split(separator: 0x20, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return HTTPError(.badRequest, "malformed request line")
        }
        let method = parts[0]
        let target = parts[1]
        let version = parts[2]
        guard !method.isEmpty, method.allSatisfy(isTokenByte) else {
            return HTTPError(.badRequest, "invalid method")
        }
        guard !target.isEmpty, target.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return HTTPError(.badRequest, "invalid request target")
        }
        switch Array(version) {
        case Array("HTTP/1.1".utf8):
            self.version = .http11
        case Array("HTTP/1.0".utf8):
            self.version = .http10
        case let other
        where other.count == 8 && other.starts(with: "HTTP/".utf8) && isDigit(other[5]) && other[6] == 0x2E
            && isDigit(other[7]):
            if other[5] == UInt8(ascii: "1") {
                // HTTP/1.x with x > 1: answer as HTTP/1.1 (RFC 9110 §6.2).
                self.version = .http11
            } else if Array(method) == Array("PRI".utf8) {
                return HTTPError(.badRequest, "HTTP/2 is not supported on this port; use HTTP/1.1")
            } else {
                return HTTPError(.httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported")
            }
        default:
            return HTTPError(.badRequest, "malformed HTTP version")
        }
        self.method = String(decoding: method, as: UTF8.self)
        self.rawTarget = String(decoding: target, as: UTF8.self)
        self.fields = []
        self.headerBytes = 0
        self.leadingEmptyLines = 0
        self.bodyLimit = self.limits.maxBodyBytes
        return nil
    }

    // MARK: - Header fields

    private mutating func parseField(_ range: Range<Int>) -> HTTPError? {
        let line = self.buffer[range]
        if line.first == 0x20 || line.first == 0x09 {
            return HTTPError(.badRequest, "obsolete line folding in header section")
        }
        guard let colon = line.firstIndex(of: 0x3A) else {
            return HTTPError(.badRequest, "header line without ':'")
        }
        let name = line[range.lowerBound..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            return HTTPError(.badRequest, "invalid header name")
        }
        var valueStart = colon + 1
        var valueEnd = range.upperBound
        while valueStart < valueEnd && (self.buffer[valueStart] == 0x20 || self.buffer[valueStart] == 0x09) {
            valueStart += 1
        }
        while valueEnd > valueStart && (self.buffer[valueEnd - 1] == 0x20 || self.buffer[valueEnd - 1] == 0x09) {
            valueEnd -= 1
        }
        let value = self.buffer[valueStart..<valueEnd]
        guard value.allSatisfy(isFieldValueByte) else {
            return HTTPError(.badRequest, "invalid character in header value")
        }
        guard self.fields.count < self.limits.maxHeaderCount else {
            return HTTPError(.requestHeaderFieldsTooLarge, "more than \(self.limits.maxHeaderCount) header fields")
        }
        self.fields.append(
            HTTPHeaders.Field(
                name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        return nil
    }

    private mutating func finishHead() -> Event {
        let headers = HTTPHeaders(self.fields.map { ($0.name, $0.value) })
        self.fields = []
        let target: RequestTarget
        do {
            target = try RequestTarget(parsing: self.rawTarget)
        } catch {
            return self.fail(error)
        }
        if self.version == .http11 {
            let hosts = headers.values(of: "Host").count
            if hosts != 1 {
                return self.fail(HTTPError(.badRequest, hosts == 0 ? "missing Host header" : "multiple Host headers"))
            }
        }
        let head = RequestHead(
            method: self.method, rawTarget: self.rawTarget, target: target, version: self.version, headers: headers)
        switch self.bodyFraming(headers) {
        case .failure(let error):
            return self.fail(error)
        case .success(.chunked):
            self.chunkedBodyBytes = 0
            self.state = .chunkSize
        case .success(.length(let length)):
            self.state = .fixedBody(remaining: length)
        }
        return .head(head)
    }

    private enum Framing {
        case length(Int)
        case chunked
    }

    private func bodyFraming(_ headers: HTTPHeaders) -> Result<Framing, HTTPError> {
        let codings = headers.tokens(of: "Transfer-Encoding")
        let lengths = headers.values(of: "Content-Length")
        if headers.contains("Transfer-Encoding") {
            if !lengths.isEmpty {
                return .failure(HTTPError(.badRequest, "both Content-Length and Transfer-Encoding"))
            }
            if self.version == .http10 {
                return .failure(HTTPError(.badRequest, "Transfer-Encoding in an HTTP/1.0 request"))
            }
            guard codings.last == "chunked", codings.filter({ $0 == "chunked" }).count == 1 else {
                return .failure(HTTPError(.badRequest, "Transfer-Encoding must end with a single chunked"))
            }
            guard codings.count == 1 else {
                return .failure(HTTPError(.notImplemented, "only the chunked transfer coding is supported"))
            }
            return .success(.chunked)
        }
        var length: Int? = nil
        for element in lengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let digits = element.trimmingASCIIWhitespace()
            guard !digits.isEmpty, digits.utf8.count <= 18, digits.utf8.allSatisfy(isDigit), let value = Int(digits)
            else {
                return .failure(HTTPError(.badRequest, "invalid Content-Length"))
            }
            if let earlier = length, earlier != value {
                return .failure(HTTPError(.badRequest, "conflicting Content-Length values"))
            }
            length = value
        }
        if let length, length > self.limits.maxBodyBytes {
            return .failure(self.bodyTooLarge())
        }
        return .success(.length(length ?? 0))
    }

    private func bodyTooLarge() -> HTTPError {
        HTTPError(.contentTooLarge, "body larger than \(self.bodyLimit) bytes")
    }

    // MARK: - Chunked

    private func parseChunkSize(_ range: Range<Int>) -> Int? {
        var size = 0
        var digits = 0
        var index = range.lowerBound
        while index < range.upperBound, let value = Hex.value(of: self.buffer[index]) {
            guard digits < 15 else { return nil }
            size = size << 4 | Int(value)
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        // Only whitespace and chunk extensions may follow; extensions are ignored.
        while index < range.upperBound && (self.buffer[index] == 0x20 || self.buffer[index] == 0x09) {
            index += 1
        }
        guard index == range.upperBound || self.buffer[index] == 0x3B else { return nil }
        guard self.buffer[index..<range.upperBound].allSatisfy(isFieldValueByte) else { return nil }
        return size
    }
}

@inline(__always)
private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

/// `tchar` of RFC 9110 §5.6.2.
@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
        UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default: false
    }
}

/// Field-value bytes: visible ASCII, space, tab and obs-text; no other control byte.
@inline(__always)
private func isFieldValueByte(_ byte: UInt8) -> Bool {
    byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
}
