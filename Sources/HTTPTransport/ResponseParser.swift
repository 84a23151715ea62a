/// An incremental HTTP/1.1 response parser: ``feed(_:)`` bytes as they arrive until it returns
/// the response, or call ``finish()`` when the peer closes.
///
/// The body is framed by `Transfer-Encoding: chunked`, `Content-Length` or the end of the
/// connection, in that order of precedence (RFC 9112 §6.3). Interim 1xx responses are skipped;
/// 204 and 304 have no body.
package struct ResponseParser {
    /// The largest status line plus headers accepted.
    package static let maxHeadBytes = 64 << 10
    /// The largest body accepted.
    private let maxBodyBytes: Int

    private enum Phase {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    private var phase = Phase.head
    /// Unparsed input.
    private var buffer: [UInt8] = []
    private var status = 0
    private var reason = ""
    private var headers: [(name: String, value: String)] = []
    private var body: [UInt8] = []

    /// A parser that refuses a body larger than `maxBodyBytes`.
    package init(maxBodyBytes: Int = 1 << 30) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Adds `bytes`; returns the response once it is complete.
    package mutating func feed(_ bytes: some Collection<UInt8>) throws(ResponseError) -> HTTPResponse? {
        self.buffer.append(contentsOf: bytes)
        while true {
            switch self.phase {
            case .head:
                let end = self.lineEnd(blankLine: true)
                if (end?.next ?? self.buffer.count) > ResponseParser.maxHeadBytes {
                    throw ResponseError("response head too large")
                }
                guard let end else { return nil }
                try self.parseHead(self.buffer[..<end.lineStart])
                self.buffer.removeSubrange(..<end.next)
                if let response = try self.startBody() { return response }
            case .fixed(let remaining):
                let count = min(remaining, self.buffer.count)
                try self.appendBody(self.buffer[..<count])
                self.buffer.removeSubrange(..<count)
                guard remaining == count else {
                    self.phase = .fixed(remaining: remaining - count)
                    return nil
                }
                return self.response
            case .chunkSize:
                guard let line = try self.takeLine() else { return nil }
                let sizeText = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != 0x20 && $0 != 0x09 }
                guard !sizeText.isEmpty, sizeText.count <= 15,
                    sizeText.allSatisfy({ Character(UnicodeScalar($0)).isHexDigit }),
                    let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16)
                else { throw ResponseError("invalid chunk size") }
                self.phase = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let count = min(remaining, self.buffer.count)
                try self.appendBody(self.buffer[..<count])
                self.buffer.removeSubrange(..<count)
                guard remaining == count else {
                    self.phase = .chunkData(remaining: remaining - count)
                    return nil
                }
                self.phase = .chunkDataEnd
            case .chunkDataEnd:
                guard let line = try self.takeLine() else { return nil }
                guard line.isEmpty else { throw ResponseError("chunk data longer than its size") }
                self.phase = .chunkSize
            case .trailers:
                guard let line = try self.takeLine() else { return nil }
                if line.isEmpty { return self.response }
            case .untilClose:
                try self.appendBody(self.buffer)
                self.buffer.removeAll()
                return nil
            }
        }
    }

    /// Called when the peer has closed: the response, if the close ends it, else an error.
    package func finish() throws(ResponseError) -> HTTPResponse {
        switch self.phase {
        case .untilClose:
            return self.response
        case .head where self.buffer.isEmpty:
            throw ResponseError("the server closed the connection without answering")
        default:
            throw ResponseError("the server closed the connection in the middle of the response")
        }
    }

    private var response: HTTPResponse {
        HTTPResponse(status: self.status, reason: self.reason, headers: self.headers, body: self.body)
    }

    private mutating func appendBody(_ bytes: some Collection<UInt8>) throws(ResponseError) {
        guard self.body.count + bytes.count <= self.maxBodyBytes else {
            throw ResponseError("response body too large")
        }
        self.body.append(contentsOf: bytes)
    }

    /// Where the first line of the buffer ends: the index of its CR (or bare LF) and the index after
    /// its LF. With `blankLine`, where the first empty line ends instead (the end of a head).
    private func lineEnd(blankLine: Bool) -> (lineStart: Int, next: Int)? {
        var lineBegin = 0
        while let newline = self.buffer[lineBegin...].firstIndex(of: 0x0A) {
            let end = newline > lineBegin && self.buffer[newline - 1] == 0x0D ? newline - 1 : newline
            if !blankLine || end == lineBegin { return (end, newline + 1) }
            lineBegin = newline + 1
        }
        return nil
    }

    /// Removes and returns the next line (without its CRLF), or `nil` when it is incomplete.
    private mutating func takeLine() throws(ResponseError) -> [UInt8]? {
        guard let end = self.lineEnd(blankLine: false) else {
            if self.buffer.count > 4096 { throw ResponseError("chunk line too long") }
            return nil
        }
        let line = Array(self.buffer[..<end.lineStart])
        self.buffer.removeSubrange(..<end.next)
        return line
    }

    /// Parses the status line and header fields (the head without its final blank line).
    private mutating func parseHead(_ head: ArraySlice<UInt8>) throws(ResponseError) {
        // Split bytes, not Characters: "\r\n" is a single Character in Swift.
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self))
        }
        // The head ends with the last field's line break.
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else { throw ResponseError("empty response") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
            parts[1].allSatisfy(\.isASCII), let status = Int(parts[1]), (100...999).contains(status)
        else { throw ResponseError("not an HTTP/1.x response: \(statusLine.prefix(60))") }
        self.status = status
        self.reason = parts.count == 3 ? String(parts[2]) : ""
        self.headers = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                line.first != " ", line.first != "\t"
            else { throw ResponseError("malformed header line: \(line.prefix(60))") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t"])
            self.headers.append((String(line[..<colon]), value))
        }
    }

    /// Chooses the body framing after a head; returns the response when it has no body.
    private mutating func startBody() throws(ResponseError) -> HTTPResponse? {
        let response = self.response
        if (100...199).contains(self.status) {
            self.phase = .head
            return nil
        }
        if self.status == 204 || self.status == 304 { return response }
        let codings = self.headers.filter { $0.name.lowercased() == "transfer-encoding" }
            .flatMap { $0.value.split(separator: ",") }.map { $0.trimmingCharacters(in: [" ", "\t"]).lowercased() }
        if let last = codings.last {
            self.phase = last == "chunked" ? .chunkSize : .untilClose
            return nil
        }
        let lengths = self.headers.filter { $0.name.lowercased() == "content-length" }
            .flatMap { $0.value.split(separator: ",") }.map { $0.trimmingCharacters(in: [" ", "\t"]) }
        guard let length = lengths.first else {
            self.phase = .untilClose
            return nil
        }
        guard Set(lengths).count == 1, length.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(length),
            count <= self.maxBodyBytes
        else { throw ResponseError("invalid Content-Length: \(length)") }
        if count == 0 { return response }
        self.phase = .fixed(remaining: count)
        return nil
    }
}

extension Substring {
    /// The text without leading and trailing characters from `set`.
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

/// A response that breaks HTTP/1.1 framing or syntax.
package struct ResponseError: Error, Equatable, CustomStringConvertible {
    /// What is wrong.
    package let description: String

    package init(_ description: String) { self.description = description }
}
