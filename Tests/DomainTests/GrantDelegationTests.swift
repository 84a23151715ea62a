import Domain
import Testing

/// What a user may hand on to a token, and what a token keeps of its owner's grants.
@Suite struct GrantDelegationTests {
    func grant(_ prefix: String, _ access: Access) -> Grant { Grant(prefix: prefix, access: access) }

    @Test func aGrantIncludesNarrowerPrefixesAtLowerOrEqualLevels() {
        let team = self.grant("team", .write)
        #expect(team.includes(self.grant("team", .write)))
        #expect(team.includes(self.grant("team/app", .read)))
        #expect(team.includes(self.grant("team/", .write)))
        #expect(!team.includes(self.grant("team/app", .admin)))
        #expect(!team.includes(self.grant("teams", .read)), "prefixes match on segment boundaries")
        #expect(!team.includes(self.grant("*", .read)))
        #expect(self.grant("*", .read).includes(self.grant("*", .read)))
        #expect(self.grant("*", .admin).includes(self.grant("anything/at/all", .admin)))
        #expect(!self.grant("*", .read).includes(self.grant("team", .write)))
    }

    @Test func theIntersectionGivesTheLowerLevelOnTheNarrowerPrefix() {
        #expect(
            self.grant("team", .write).intersection(self.grant("team/app", .admin)) == self.grant("team/app", .write))
        #expect(self.grant("team/app", .admin).intersection(self.grant("*", .read)) == self.grant("team/app", .read))
        #expect(self.grant("team", .write).intersection(self.grant("ops", .write)) == nil)
        #expect(self.grant("team/app", .read).intersection(self.grant("team/application", .read)) == nil)
    }
}
