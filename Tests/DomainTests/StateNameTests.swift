import Domain
import Testing

@Suite struct StateNameTests {
    @Test(arguments: [
        "prod", "team/app/prod", "a.b_c-d", "A/B/C/1", "infra/env:/dev/team/app.tfstate", ":",
        String(repeating: "x", count: 255),
    ])
    func acceptsValidNames(name: String) throws {
        #expect(try StateName(name).rawValue == name)
    }

    @Test(arguments: [
        ("", "state name is empty"),
        (String(repeating: "x", count: 256), "state name is longer than 255 bytes"),
        ("a//b", "state name has an empty segment"),
        ("/a", "state name has an empty segment"),
        ("a/", "state name has an empty segment"),
        ("a/./b", "state name has a '.' or '..' segment"),
        ("..", "state name has a '.' or '..' segment"),
        ("a b", "state name may contain only letters, digits, '.', '_', '-', ':' and '/'"),
        ("é", "state name may contain only letters, digits, '.', '_', '-', ':' and '/'"),
        ("a@b", "state name may contain only letters, digits, '.', '_', '-', ':' and '/'"),
        ("a%2Fb", "state name may contain only letters, digits, '.', '_', '-', ':' and '/'"),
    ])
    func rejectsInvalidNamesSayingWhy(name: String, reason: String) {
        #expect(throws: DomainError.invalidInput(reason)) { try StateName(name) }
    }

    @Test func ordersByBytes() throws {
        #expect(try StateName("a/b") < StateName("a/c"))
        #expect(try StateName("B") < StateName("a"))
    }
}
