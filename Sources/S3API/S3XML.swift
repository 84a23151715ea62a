/// Writes the small XML documents S3 answers with: elements with text, nothing else.
struct XMLWriter {
    private(set) var bytes: [UInt8] = Array(#"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)

    /// Opens `name`; with a namespace, S3's (`http://s3.amazonaws.com/doc/2006-03-01/`).
    mutating func open(_ name: String, namespaced: Bool = false) {
        self.bytes += Array("<\(name)".utf8)
        if namespaced { self.bytes += Array(#" xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#.utf8) }
        self.bytes.append(UInt8(ascii: ">"))
    }

    mutating func close(_ name: String) {
        self.bytes += Array("</\(name)>".utf8)
    }

    /// `<name>text</name>`, the text escaped.
    mutating func element(_ name: String, _ text: String) {
        self.bytes += Array("<\(name)>".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): self.bytes += Array("&amp;".utf8)
            case UInt8(ascii: "<"): self.bytes += Array("&lt;".utf8)
            case UInt8(ascii: ">"): self.bytes += Array("&gt;".utf8)
            case UInt8(ascii: "\""): self.bytes += Array("&quot;".utf8)
            case UInt8(ascii: "'"): self.bytes += Array("&apos;".utf8)
            case 0x00..<0x20 where byte != 0x09 && byte != 0x0A && byte != 0x0D:
                // Not allowed in XML 1.0 even escaped: written as S3 writes them under
                // encoding-type=url, percent-encoded.
                self.bytes += Array("%\(byte < 16 ? "0" : "")\(String(byte, radix: 16, uppercase: true))".utf8)
            default: self.bytes.append(byte)
            }
        }
        self.bytes += Array("</\(name)>".utf8)
    }
}

/// Reads the one XML document a client sends: `CompleteMultipartUpload`'s list of parts.
enum CompleteMultipartDocument {
    /// A part as listed: its number and the ETag its upload returned, quotes removed.
    struct Part: Equatable {
        let number: Int
        let etag: String
    }

    /// The largest document read: 10,000 parts at ~100 bytes each, with room.
    static let maxBytes = 2 << 20

    /// The parts, in the order listed; `nil` when the document is not a
    /// `CompleteMultipartUpload` of `Part` elements each with one `PartNumber` and one `ETag`.
    static func parts(_ body: [UInt8]) -> [Part]? {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        var rest = Substring(text)
        guard let start = rest.firstRange(of: "<CompleteMultipartUpload") else { return nil }
        rest = rest[start.upperBound...]
        guard let end = rest.firstRange(of: "</CompleteMultipartUpload>") else { return nil }
        rest = rest[..<end.lowerBound]
        var parts: [Part] = []
        while let open = rest.firstRange(of: "<Part>") {
            guard let close = rest[open.upperBound...].firstRange(of: "</Part>") else { return nil }
            let part = rest[open.upperBound..<close.lowerBound]
            guard let number = Self.text(of: "PartNumber", in: part).flatMap({ Int($0) }),
                var etag = Self.text(of: "ETag", in: part)
            else { return nil }
            etag = Self.unescaped(etag)
            if etag.hasPrefix("\""), etag.hasSuffix("\""), etag.count >= 2 {
                etag = String(etag.dropFirst().dropLast())
            }
            parts.append(Part(number: number, etag: etag))
            rest = rest[close.upperBound...]
        }
        return parts
    }

    private static func text(of element: String, in part: Substring) -> String? {
        guard let open = part.firstRange(of: "<\(element)>"),
            let close = part[open.upperBound...].firstRange(of: "</\(element)>")
        else { return nil }
        return String(part[open.upperBound..<close.lowerBound]).trimmingCharacters(in: " \t\r\n")
    }

    private static func unescaped(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacing("&quot;", with: "\"").replacing("&#34;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&amp;", with: "&")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        guard let first = self.firstIndex(where: { !characters.contains($0) }),
            let last = self.lastIndex(where: { !characters.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}
