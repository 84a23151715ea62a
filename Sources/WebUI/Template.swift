/// What a template renders: text, a flag, a list or an object of named values.
enum View: Sendable {
    case text(String)
    case flag(Bool)
    case list([View])
    case object([String: View])
}

extension View: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    init(stringLiteral value: String) { self = .text(value) }
    init(booleanLiteral value: Bool) { self = .flag(value) }
    init(arrayLiteral elements: View...) { self = .list(elements) }
    init(dictionaryLiteral elements: (String, View)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// Whether a section over the value renders nothing: false, empty text, an empty list.
    fileprivate var isFalsy: Bool {
        switch self {
        case .flag(let value): !value
        case .text(let text): text.isEmpty
        case .list(let items): items.isEmpty
        case .object: false
        }
    }
}

/// A template mistake, found when the templates are parsed at startup (and by the tests).
struct TemplateError: Error, CustomStringConvertible {
    let description: String
}

/// A logic-less template in a subset of Mustache: `{{name}}` and `{{a.b}}` (always HTML-escaped),
/// `{{#name}}…{{/name}}` (a list repeats; true, text and objects render once; false, empty text,
/// empty lists and missing names render nothing), `{{^name}}…{{/name}}` (the opposite), `{{>partial}}`
/// and `{{! comments }}`. There is no unescaped output (`{{{…}}}` and `{{&…}}` are errors): whatever a
/// state, a lock or a user brings is shown as text, never as markup.
struct Template: Sendable {
    fileprivate indirect enum Node: Sendable {
        case literal(String)
        case value([String])
        case section([String], inverted: Bool, [Node])
        case partial(String)
    }

    private let nodes: [Node]

    /// Parses `source`; `name` is for the error messages.
    init(_ source: String, name: String) throws(TemplateError) {
        var parser = Parser(source: source, name: name)
        self.nodes = try parser.nodes(closing: nil)
    }

    /// The template rendered with `view`, its partials looked up in `partials`.
    func render(_ view: View, partials: [String: Template]) -> String {
        var output = ""
        output.reserveCapacity(8 << 10)
        var context = [view]
        Self.render(self.nodes, &context, partials, into: &output)
        return output
    }

    private static func render(
        _ nodes: [Node], _ context: inout [View], _ partials: [String: Template], into output: inout String
    ) {
        for node in nodes {
            switch node {
            case .literal(let text):
                output += text
            case .value(let path):
                if case .text(let text)? = lookup(path, in: context) { appendEscaped(text, to: &output) }
            case .section(let path, let inverted, let children):
                let value = lookup(path, in: context)
                if inverted {
                    if value?.isFalsy ?? true { render(children, &context, partials, into: &output) }
                    continue
                }
                guard let value, !value.isFalsy else { continue }
                let items: [View]
                if case .list(let list) = value { items = list } else { items = [value] }
                for item in items {
                    context.append(item)
                    render(children, &context, partials, into: &output)
                    context.removeLast()
                }
            case .partial(let name):
                // Names are checked when the templates are loaded (`WebTemplates`).
                if let partial = partials[name] { render(partial.nodes, &context, partials, into: &output) }
            }
        }
    }

    /// `path` looked up as Mustache does: its first name in the innermost context that has it,
    /// the rest inside that; `.` is the innermost context itself.
    private static func lookup(_ path: [String], in context: [View]) -> View? {
        guard let first = path.first else { return context.last }
        for view in context.reversed() {
            guard case .object(let members) = view, var found = members[first] else { continue }
            for name in path.dropFirst() {
                guard case .object(let inner) = found, let next = inner[name] else { return nil }
                found = next
            }
            return found
        }
        return nil
    }

    /// The partials the template names, for the check that they all exist.
    var partialNames: [String] {
        func names(_ nodes: [Node]) -> [String] {
            nodes.flatMap { node -> [String] in
                switch node {
                case .partial(let name): [name]
                case .section(_, _, let children): names(children)
                case .literal, .value: []
                }
            }
        }
        return names(self.nodes)
    }
}

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, so that it is text in
/// an element and in a quoted attribute.
func appendEscaped(_ text: String, to output: inout String) {
    var plain = text.utf8.startIndex
    let utf8 = text.utf8
    var index = plain
    while index != utf8.endIndex {
        let reference: String?
        switch utf8[index] {
        case UInt8(ascii: "&"): reference = "&amp;"
        case UInt8(ascii: "<"): reference = "&lt;"
        case UInt8(ascii: ">"): reference = "&gt;"
        case UInt8(ascii: "\""): reference = "&quot;"
        case UInt8(ascii: "'"): reference = "&#39;"
        default: reference = nil
        }
        if let reference {
            output += text[plain..<index]
            output += reference
            plain = utf8.index(after: index)
        }
        index = utf8.index(after: index)
    }
    output += text[plain..<utf8.endIndex]
}

/// `text` HTML-escaped.
func escaped(_ text: String) -> String {
    var output = ""
    appendEscaped(text, to: &output)
    return output
}

/// Reads a template's tags.
private struct Parser {
    let source: String
    let name: String
    var position: String.Index

    init(source: String, name: String) {
        self.source = source
        self.name = name
        self.position = source.startIndex
    }

    /// Nodes up to the `{{/closing}}` tag (or the end, when `closing` is nil).
    mutating func nodes(closing: [String]?) throws(TemplateError) -> [Template.Node] {
        var nodes: [Template.Node] = []
        while true {
            guard let open = self.source[self.position...].firstRange(of: "{{") else {
                if self.position < self.source.endIndex {
                    nodes.append(.literal(String(self.source[self.position...])))
                }
                self.position = self.source.endIndex
                if let closing { throw self.error("{{#\(closing.joined(separator: "."))}} is never closed") }
                return nodes
            }
            if open.lowerBound > self.position {
                nodes.append(.literal(String(self.source[self.position..<open.lowerBound])))
            }
            guard let close = self.source[open.upperBound...].firstRange(of: "}}") else {
                throw self.error("a {{ tag is never closed")
            }
            let tag = self.source[open.upperBound..<close.lowerBound]
            self.position = close.upperBound
            guard let sigil = tag.first else { throw self.error("an empty {{}} tag") }
            let body = String(tag.dropFirst()).trimmed
            switch sigil {
            case "!":
                continue
            case "{", "&":
                throw self.error("{{\(tag)}}: unescaped output is not supported")
            case "#", "^":
                let path = try self.path(body)
                let children = try self.nodes(closing: path)
                nodes.append(.section(path, inverted: sigil == "^", children))
            case "/":
                let path = try self.path(body)
                guard path == closing else { throw self.error("{{/\(body)}} closes nothing open") }
                return nodes
            case ">":
                guard !body.isEmpty else { throw self.error("{{>}} names no partial") }
                nodes.append(.partial(body))
            default:
                nodes.append(.value(try self.path(String(tag).trimmed)))
            }
        }
    }

    /// A dotted name, or `.` for the current context (an empty path).
    private func path(_ text: String) throws(TemplateError) -> [String] {
        if text == "." { return [] }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty,
            parts.allSatisfy({ part in
                !part.isEmpty
                    && part.utf8.allSatisfy { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || isAlnum($0) }
            })
        else { throw self.error("{{\(text)}} is not a name") }
        return parts
    }

    private func error(_ message: String) -> TemplateError {
        let line = self.source[..<self.position].utf8.count { $0 == UInt8(ascii: "\n") } + 1
        return TemplateError(description: "template \(self.name), line \(line): \(message)")
    }
}

private func isAlnum(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

extension String {
    /// Without leading and trailing spaces.
    fileprivate var trimmed: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
