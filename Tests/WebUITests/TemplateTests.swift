import Testing

@testable import WebUI

struct TemplateTests {
    private func render(_ source: String, _ view: View, partials: [String: String] = [:]) throws -> String {
        var library: [String: Template] = [:]
        for (name, text) in partials { library[name] = try Template(text, name: name) }
        return try Template(source, name: "test").render(view, partials: library)
    }

    @Test func valuesAreAlwaysEscaped() throws {
        let view: View = ["name": "<script>alert('x')</script> & \"q\""]
        #expect(
            try self.render("<p title=\"{{name}}\">{{name}}</p>", view)
                == "<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;\">"
                + "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>")
    }

    @Test func unescapedOutputDoesNotExist() {
        for source in ["{{{name}}}", "{{&name}}"] {
            #expect(throws: TemplateError.self) { try Template(source, name: "t") }
        }
    }

    @Test func sectionsRepeatListsAndTestFlags() throws {
        let view: View = [
            "rows": [["n": "1"], ["n": "2"]], "yes": true, "no": false, "empty": [], "text": "t", "blank": "",
            "object": ["inner": "i"], "outer": "o",
        ]
        #expect(try self.render("{{#rows}}[{{n}}{{outer}}]{{/rows}}", view) == "[1o][2o]")
        #expect(try self.render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}notN{{/no}}", view) == "YnotN")
        #expect(try self.render("{{#empty}}E{{/empty}}{{^empty}}none{{/empty}}", view) == "none")
        #expect(
            try self.render("{{#text}}<{{.}}>{{/text}}{{#blank}}B{{/blank}}{{^missing}}M{{/missing}}", view) == "<t>M")
        #expect(try self.render("{{#object}}{{inner}}{{/object}} {{object.inner}} {{object.none}}", view) == "i i ")
    }

    @Test func partialsRenderInTheCallersContext() throws {
        #expect(
            try self.render("{{>head}}body", ["title": "T"], partials: ["head": "<h1>{{title}}</h1>"])
                == "<h1>T</h1>body")
    }

    @Test func commentsRenderNothing() throws {
        #expect(try self.render("a{{! a note }}b", [:]) == "ab")
    }

    @Test func mistakesNameTheTemplateAndLine() {
        let cases = ["a\n{{#open}}b", "{{/close}}", "{{#a}}{{/b}}", "{{ bad name }}", "{{x", "{{}}"]
        for source in cases {
            #expect(throws: TemplateError.self, "\(source)") { try Template(source, name: "page") }
        }
        do {
            _ = try Template("line one\n{{#open}}", name: "page")
        } catch {
            #expect(error.description.hasPrefix("template page, line 2"))
        }
    }

    @Test func everyShippedTemplateParsesAndItsPartialsExist() throws {
        let templates = try WebTemplates()
        #expect(templates.pages.count == WebTemplates.sources.count)
        #expect(templates.css.path.hasPrefix("/ui/assets/style.") && templates.css.path.hasSuffix(".css"))
        #expect(templates.script.path.hasPrefix("/ui/assets/ui.") && templates.script.path.hasSuffix(".js"))
    }
}
