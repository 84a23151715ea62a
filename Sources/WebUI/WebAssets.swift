import Gzip
import SystemSupport

/// The files in `Assets`, compiled in by the EmbedWebAssets plugin as static properties.
enum WebAssets {}

/// The parsed templates and the static files (style sheet, script, icon), with the URLs that name their content.
struct WebTemplates: Sendable {
    /// A static file: its bytes (and gzip), type and a URL that changes with its content, so that
    /// browsers may keep it for a year.
    struct StaticFile: Sendable {
        let body: [UInt8]
        let gzip: [UInt8]
        let contentType: String
        let path: String

        init(_ text: String, name: String, extension: String, contentType: String) {
            self.body = Array(text.utf8)
            self.gzip = (try? Gzip.compress(self.body, level: 9)) ?? self.body
            self.contentType = contentType
            let crc = Gzip.crc32(self.body)
            let tag = Hex.encode([24, 16, 8, 0].map { UInt8(truncatingIfNeeded: crc >> $0) })
            self.path = "/ui/assets/\(name).\(tag).\(`extension`)"
        }
    }

    let pages: [String: Template]
    let css: StaticFile
    let script: StaticFile
    let icon: StaticFile

    /// The pages by name, each able to use the partials `top` and `bottom`.
    static let sources: [String: String] = [
        "top": WebAssets.topHTML, "bottom": WebAssets.bottomHTML, "sign-in": WebAssets.signInHTML,
        "error": WebAssets.errorHTML, "states": WebAssets.statesHTML, "state": WebAssets.stateHTML,
        "diff": WebAssets.diffHTML, "rollback": WebAssets.rollbackHTML, "locks": WebAssets.locksHTML,
        "audit": WebAssets.auditHTML, "continue": WebAssets.continueHTML,
    ]

    /// Parses every template and checks that every partial it names exists.
    init() throws(TemplateError) {
        var pages: [String: Template] = [:]
        for (name, source) in Self.sources {
            pages[name] = try Template(source, name: name)
        }
        for (name, template) in pages {
            if let missing = template.partialNames.first(where: { pages[$0] == nil }) {
                throw TemplateError(description: "template \(name): no partial named \(missing)")
            }
        }
        // A partial that includes itself, however indirectly, would render forever.
        func visit(_ name: String, _ path: [String]) throws(TemplateError) {
            guard !path.contains(name) else {
                throw TemplateError(
                    description: "templates include each other: \((path + [name]).joined(separator: " > "))")
            }
            for partial in pages[name]?.partialNames ?? [] { try visit(partial, path + [name]) }
        }
        for name in pages.keys { try visit(name, []) }
        self.pages = pages
        self.css = StaticFile(
            WebAssets.styleCSS, name: "style", extension: "css", contentType: "text/css; charset=utf-8")
        self.script = StaticFile(
            WebAssets.uiJS, name: "ui", extension: "js", contentType: "text/javascript; charset=utf-8")
        self.icon = StaticFile(WebAssets.iconSVG, name: "icon", extension: "svg", contentType: "image/svg+xml")
    }

    /// Page `name` rendered with `view`.
    func render(_ name: String, _ view: View) -> String {
        guard let page = self.pages[name] else { preconditionFailure("no template named \(name)") }
        return page.render(view, partials: self.pages)
    }
}
