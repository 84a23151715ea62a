import HTTPServer
import Testing

@testable import statehouse

/// The server's one responder sends `/ui` to the pages and everything else to the API.
struct RoutesTests {
    @Test func pagesGoToTheUIAndEverythingElseToTheAPI() {
        let f = UIFixture()
        let routes = Routes(api: f.api, ui: f.ui)
        #expect(routes.handle(UIFixture.request("GET", "/ui/sign-in")).route == "ui")
        #expect(routes.handle(UIFixture.request("GET", "/ui")).headers["Location"] == "/ui/states")
        #expect(routes.handle(UIFixture.request("GET", "/")).headers["Location"] == "/ui/")
        #expect(routes.handle(UIFixture.request("GET", "/uix")).route == "unmatched")
        #expect(routes.handle(UIFixture.apiRequest("GET", "/api/v1/states")).route == "api")
        #expect(routes.handle(UIFixture.request("POST", "/")).status.code == 404)
    }

    @Test func withTheUIOffItsPathsAreUnknown() {
        let f = UIFixture()
        let routes = Routes(api: f.api, ui: nil)
        for target in ["/", "/ui", "/ui/sign-in"] {
            let response = routes.handle(UIFixture.request("GET", target))
            #expect(response.status.code == 404 && response.route == "unmatched", "\(target)")
        }
    }
}
