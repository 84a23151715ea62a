import Domain
import Testing
import WorkloadIdentity

@testable import statehouse

@Suite struct OIDCConfigurationTests {
    func load(_ toml: String) throws -> StatehouseConfiguration {
        try ConfigurationLoader.load(file: "config.toml", toml: toml, environment: [:])
    }

    func failure(_ toml: String) -> String? {
        do {
            _ = try self.load(toml)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// `[[oidc_issuers]]` with `rules` replaced.
    func issuer(rules: String, extra: String = "") -> String {
        """
        [[oidc_issuers]]
        issuer = "https://token.actions.githubusercontent.com"
        audience = "statehouse"
        \(extra)
        rules = \(rules)
        """
    }

    @Test func readsTheIssuesExample() throws {
        let configuration = try self.load(
            """
            [[oidc_issuers]]
            issuer = "https://token.actions.githubusercontent.com"
            audience = "statehouse"
            jwks_file = ""   # optional: the issuer's keys from a file (air-gapped); otherwise discovered over HTTPS
            rules = [
              { claims = { repository = "acme/infra", ref = "refs/heads/main" }, grants = { "acme/prod" = "write" } },
              { claims = { repository = "acme/*" }, grants = { "acme/dev" = "write", "acme" = "read" } },
            ]
            [[oidc_issuers]]
            issuer = "https://gitlab.example.com"
            audience = "https://statehouse.example.com"
            jwks_file = "/etc/statehouse/gitlab-jwks.json"
            ca_file = "/etc/statehouse/ca.pem"
            rules = [{ claims = { project_path = "infra/*" }, grants = { "*" = "read" } }]
            """)
        let issuers = configuration.oidcIssuers
        #expect(issuers.map(\.issuer) == ["https://token.actions.githubusercontent.com", "https://gitlab.example.com"])
        #expect(issuers[0].audience == "statehouse")
        #expect(issuers[0].jwksFile == nil, "an empty jwks_file means discovery")
        #expect(issuers[0].caFile == nil)
        #expect(issuers[0].host == "token.actions.githubusercontent.com")
        #expect(
            issuers[0].rules[0]
                == WorkloadRule(
                    claims: ["repository": ClaimPattern("acme/infra"), "ref": ClaimPattern("refs/heads/main")],
                    grants: [Grant(prefix: "acme/prod", access: .write)]))
        #expect(issuers[0].rules[1].claims == ["repository": ClaimPattern("acme/*")])
        #expect(Set(issuers[0].rules[1].grants.map { "\($0.prefix)=\($0.access)" }) == ["acme/dev=write", "acme=read"])
        #expect(issuers[1].jwksFile == "/etc/statehouse/gitlab-jwks.json")
        #expect(issuers[1].caFile == "/etc/statehouse/ca.pem")
    }

    @Test func refusesTwoIssuersOnOneHost() {
        let rules = #"[{ claims = { sub = "system:serviceaccount:ci:deployer" }, grants = { "k8s" = "write" } }]"#
        let configuration = """
            [[oidc_issuers]]
            issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/A"
            audience = "statehouse"
            rules = \(rules)
            [[oidc_issuers]]
            issuer = "https://oidc.eks.eu-west-1.amazonaws.com/id/B"
            audience = "statehouse"
            rules = \(rules)
            """
        #expect(
            self.failure(configuration)
                == "config.toml: oidc_issuers[1].issuer: https://oidc.eks.eu-west-1.amazonaws.com/id/B has the host of "
                + "https://oidc.eks.eu-west-1.amazonaws.com/id/A: their principals "
                + "(oidc:oidc.eks.eu-west-1.amazonaws.com:<sub>) could not be told apart")
    }

    @Test func refusesARuleThatWouldMatchEveryToken() {
        let why = "a rule must match at least one claim value"
        #expect(
            self.failure(self.issuer(rules: #"[{ claims = {}, grants = { "*" = "write" } }]"#))?.contains(why) == true)
        #expect(
            self.failure(self.issuer(rules: #"[{ claims = { repository = "*" }, grants = { "*" = "write" } }]"#))?
                .contains(why) == true)
        #expect(
            self.failure(self.issuer(rules: #"[{ grants = { "*" = "write" } }]"#))
                == "config.toml: oidc_issuers[0].rules[0].claims: expected a table of claims to match, such as "
                + #"{ repository = "acme/infra" }"#)
        #expect(
            self.failure(self.issuer(rules: "[]"))?.hasPrefix("config.toml: oidc_issuers[0].rules: expected rules")
                == true)
    }

    @Test func errorsNameTheEntryAndTheKey() {
        #expect(
            self.failure(self.issuer(rules: #"[{ claims = { ref = "refs/*/main" }, grants = { "*" = "read" } }]"#))?
                .hasPrefix("config.toml: oidc_issuers[0].rules[0].claims.ref: expected a string") == true)
        #expect(
            self.failure(self.issuer(rules: #"[{ claims = { run = 7 }, grants = { "*" = "read" } }]"#))?
                .hasPrefix("config.toml: oidc_issuers[0].rules[0].claims.run: expected a string") == true)
        #expect(
            self.failure(self.issuer(rules: #"[{ claims = { ref = "main" }, grants = { "*" = "owner" } }]"#))
                == #"config.toml: oidc_issuers[0].rules[0].grants."*": must be read, write or admin"#)
        #expect(
            self.failure(self.issuer(rules: #"[{ claims = { ref = "main" }, grant = { "*" = "read" } }]"#))
                == "config.toml: oidc_issuers[0].rules[0].grant: unknown key")
        #expect(
            self.failure(self.issuer(rules: #"[{ claims = { ref = "main" } }]"#))
                == "config.toml: oidc_issuers[0].rules[0].grants: expected the grants of matching tokens")
        let rules = #"[{ claims = { ref = "main" }, grants = { "*" = "read" } }]"#
        #expect(
            self.failure(self.issuer(rules: rules, extra: "jwks = \"k.json\""))
                == "config.toml: oidc_issuers[0].jwks: unknown key")
        #expect(
            self.failure(self.issuer(rules: rules).replacingOccurrences(of: "https://", with: "http://"))?
                .hasPrefix("config.toml: oidc_issuers[0].issuer: expected the issuer's https:// URL") == true)
        #expect(
            self.failure(self.issuer(rules: rules).replacingOccurrences(of: "audience = \"statehouse\"", with: ""))?
                .hasPrefix("config.toml: oidc_issuers[0].audience: expected the audience") == true)
        #expect(
            self.failure(self.issuer(rules: rules) + "\n" + self.issuer(rules: rules))
                == "config.toml: oidc_issuers[1].issuer: issuer https://token.actions.githubusercontent.com is defined twice"
        )
        #expect(self.failure("oidc_issuers = 1") == "config.toml: oidc_issuers: expected [[oidc_issuers]] tables")
    }
}
