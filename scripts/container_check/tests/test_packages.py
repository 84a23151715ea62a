import unittest

from container_check import packages

# What `dpkg-query -W -f=DPKG_QUERY_FORMAT` prints: Package, status, Installed-Size (KiB), Pre-Depends,
# Depends, Provides, tab-separated.
ROWS = [
    ("app", "ii ", "100", "", "libpq5 (>= 15), tool | helper, mail-agent", ""),
    ("libpq5", "ii ", "900", "", "libc6 (>= 2.34), libssl3:amd64 (>= 3.0.0), libgssapi | libc6", ""),
    ("libssl3", "ii ", "6000", "libc6 (>= 2.34)", "", ""),
    ("libc6", "ii ", "12000", "", "libgcc-s1", ""),
    ("libgcc-s1", "ii ", "140", "", "gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)", ""),
    ("gcc-12-base", "ii ", "100", "", "", ""),
    ("tool", "ii ", "50", "", "", ""),
    ("helper", "ii ", "60", "", "", ""),
    ("exim", "ii ", "3000", "", "", "mail-transport-agent, mail-agent"),
    ("postfix", "ii ", "4000", "", "", "mail-agent (= 1)"),
    ("removed", "rc ", "10", "", "", ""),
    ("needs-removed", "ii ", "10", "", "removed", ""),
    ("needs-nothing-there", "ii ", "10", "", "ghost | phantom", ""),
]
TEXT = "\n".join("\t".join(row) for row in ROWS) + "\n"
BASE = frozenset({"libc6", "libgcc-s1", "gcc-12-base", "postfix"})


def closure(*roots, base=BASE):
    installed, providers = packages.parse_installed(TEXT)
    return packages.dependency_closure(list(roots), installed, providers, base)


class ParseTests(unittest.TestCase):
    def test_parse_installed(self):
        installed, providers = packages.parse_installed(TEXT)
        self.assertNotIn("removed", installed)  # only "ii" (installed) packages
        self.assertEqual(installed["libpq5"], {"depends": [["libc6"], ["libssl3"], ["libgssapi", "libc6"]], "size": 900})
        self.assertEqual(installed["libssl3"]["depends"], [["libc6"]])  # Pre-Depends count
        self.assertEqual(installed["app"]["depends"], [["libpq5"], ["tool", "helper"], ["mail-agent"]])
        self.assertEqual(providers, {"mail-transport-agent": ["exim"], "mail-agent": ["exim", "postfix"]})

    def test_package_name(self):
        self.assertEqual(packages.package_name(" libssl3:amd64 (>= 3.0.0)"), "libssl3")
        self.assertEqual(packages.package_name("libc6(>=2)"), "libc6")
        self.assertEqual(packages.package_name("zlib1g"), "zlib1g")

    def test_missing_fields(self):
        installed, _ = packages.parse_installed("lonely\tii \t\n")
        self.assertEqual(installed, {"lonely": {"depends": [], "size": 0}})


class ClosureTests(unittest.TestCase):
    def test_transitive_dependencies(self):
        found, missing = closure("libpq5")
        self.assertEqual(found, {"libpq5", "libc6", "libssl3", "libgcc-s1", "gcc-12-base"})
        self.assertEqual(missing, set())

    def test_alternative_already_present_wins(self):
        # libgssapi is not installed here; libc6 (the second alternative) is. For `tool | helper`
        # neither is in the base, so the first installed one is taken.
        found, _ = closure("app")
        self.assertIn("tool", found)
        self.assertNotIn("helper", found)
        found, _ = closure("app", base=BASE | {"helper"})
        self.assertIn("helper", found)
        self.assertNotIn("tool", found)

    def test_virtual_package_prefers_a_provider_in_the_base(self):
        found, _ = closure("app")
        self.assertIn("postfix", found)
        self.assertNotIn("exim", found)
        found, _ = closure("app", base=frozenset())
        self.assertIn("exim", found)  # the first provider otherwise
        self.assertNotIn("postfix", found)

    def test_unresolvable(self):
        self.assertEqual(closure("needs-removed")[1], {"removed"})
        self.assertEqual(closure("needs-nothing-there")[1], {"ghost | phantom"})
        self.assertEqual(closure("not-installed"), (set(), {"not-installed"}))

    def test_slim_packages_are_the_manifest(self):
        self.assertEqual(len(packages.SLIM_PACKAGES), 88)
        self.assertTrue({"libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libgnutls30"} <= packages.SLIM_PACKAGES)
        self.assertFalse({"libssl3", "libpq5", "ca-certificates", "openssl"} & packages.SLIM_PACKAGES)


class SlimTests(unittest.TestCase):
    def test_excluded_paths(self):
        for path in ("/usr/share/doc/libpq5/changelog.Debian.gz", "/usr/share/man/man1/openssl.1ssl.gz",
                     "/usr/share/locale/de/LC_MESSAGES/x.mo", "/usr/share/info/x.info", "/usr/share/lintian/overrides/x"):
            self.assertTrue(packages.SLIM_EXCLUDED.match(path), path)
        for path in ("/usr/share/doc/libpq5/copyright", "/usr/lib/x86_64-linux-gnu/libpq.so.5",
                     "/usr/share/ca-certificates/mozilla/x.crt"):
            self.assertFalse(packages.SLIM_EXCLUDED.match(path), path)

    def test_owner_candidates_cover_merged_usr(self):
        self.assertEqual(packages.owner_candidates("/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"),
                         ["/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13",
                          "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1.2.13"])


if __name__ == "__main__":
    unittest.main()
