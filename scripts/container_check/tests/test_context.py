import os
import tempfile
import time
import unittest
from contextlib import redirect_stdout
from io import StringIO

from container_check import context
from container_check.common import Fatal, read

REPOSITORY_IGNORE = "# comment\n*\n!Package.swift\n!Sources\n!Tests\n!config.toml\n"


def ignored(path, text):
    return context.ignored(path, context.parse_dockerignore(text))


class DockerignoreTests(unittest.TestCase):
    def test_allow_list(self):
        for path in ("Package.swift", "Sources/statehouse/Serve.swift", "Tests/x/y.swift", "config.toml"):
            self.assertFalse(ignored(path, REPOSITORY_IGNORE), path)
        for path in (".env", ".git/config", "Package.resolved", "README.md", "data/statehouse.db", "scripts/test"):
            self.assertTrue(ignored(path, REPOSITORY_IGNORE), path)

    def test_parent_directory_matches(self):
        self.assertTrue(ignored("data/a/b.db", "data"))
        self.assertFalse(ignored("database.db", "data"))
        self.assertTrue(ignored(".build-release/x", ".build*"))

    def test_star_does_not_cross_directories_but_double_star_does(self):
        self.assertTrue(ignored("a/x.log", "*/*.log"))
        self.assertFalse(ignored("a/b/x.log", "*/*.log"))
        self.assertTrue(ignored("a/b/x.log", "**/*.log"))
        self.assertTrue(ignored("x.log", "**/*.log"))
        self.assertTrue(ignored("ab", "a?"))
        self.assertFalse(ignored("a/b", "a?b"))

    def test_last_match_wins(self):
        text = "docs\n!docs/keep.md\n"
        self.assertTrue(ignored("docs/other.md", text))
        self.assertFalse(ignored("docs/keep.md", text))
        self.assertTrue(ignored("docs/keep.md", text + "docs/*.md\n"))

    def test_leading_slash_and_literal_characters(self):
        self.assertTrue(ignored("a.b", "/a.b"))
        self.assertFalse(ignored("axb", "a.b"))

    def test_no_file_ignores_nothing(self):
        self.assertFalse(context.ignored(".env", []))

    def test_problems(self):
        self.assertEqual(context.dockerignore_problems(context.parse_dockerignore(REPOSITORY_IGNORE)), [])
        problems = context.dockerignore_problems(context.parse_dockerignore(".git\nSources\n"))
        self.assertIn(".dockerignore: .env would be sent to the builder", problems)
        self.assertNotIn(".dockerignore: .git/config would be sent to the builder", problems)
        self.assertIn(".dockerignore: Sources/statehouse/Serve.swift is left out, but the Dockerfile needs it", problems)


class StageTests(unittest.TestCase):
    def setUp(self):
        self.temporary = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.temporary.name, "repository")
        self.destination = os.path.join(self.temporary.name, "context")
        for path, text in (("Package.swift", "package"), ("Sources/a/one.swift", "one"), ("Sources/a/skip.tmp", "x"),
                           ("Tests/t.swift", "t"), ("README.md", "readme")):
            os.makedirs(os.path.dirname(os.path.join(self.root, path)), exist_ok=True)
            with open(os.path.join(self.root, path), "w") as file:
                file.write(text)
        os.makedirs(os.path.join(self.root, "Sources", "empty"))
        self.copies = [(1, ["Package.swift"], "./", "/src"), (2, ["Sources"], "./Sources", "/src"),
                       (3, ["Tests"], "./Tests", "/src")]
        self.patterns = context.parse_dockerignore("*\n!Package.swift\n!Sources\n!Tests\n*/*/*.tmp\n")

    def tearDown(self):
        self.temporary.cleanup()

    def stage(self, copies=None):
        with redirect_stdout(StringIO()) as out:
            result = context.stage_context(copies or self.copies, self.patterns, self.root, self.destination)
        return result, out.getvalue()

    def files(self):
        return sorted(os.path.relpath(os.path.join(d, f), self.destination)
                      for d, _, fs in os.walk(self.destination) for f in fs)

    def test_stages_what_the_copies_send(self):
        (count, copied), printed = self.stage()
        self.assertEqual(self.files(), ["Package.swift", "Sources/a/one.swift", "Tests/t.swift"])
        self.assertTrue(os.path.isdir(os.path.join(self.destination, "Sources", "empty")))
        self.assertEqual((count, copied), (3, 3))
        self.assertEqual(printed, "staged 3 files into ../context (3 changed)\n")
        self.assertEqual(read("Sources/a/one.swift", self.destination), "one")

    def test_restaging_copies_only_changes_and_removes_stale_files(self):
        self.stage()
        for name in ("stale.swift", "Package.resolved"):
            open(os.path.join(self.destination, name), "w").close()
        later = time.time() + 10
        with open(os.path.join(self.root, "Tests/t.swift"), "w") as file:
            file.write("changed")
        os.utime(os.path.join(self.root, "Tests/t.swift"), (later, later))
        (count, copied), _ = self.stage()
        self.assertEqual((count, copied), (3, 1))
        # SwiftPM's Package.resolved stays; a file no COPY sends goes.
        self.assertEqual(self.files(), ["Package.resolved", "Package.swift", "Sources/a/one.swift", "Tests/t.swift"])
        self.assertEqual(read("Tests/t.swift", self.destination), "changed")

    def test_single_file_to_a_name(self):
        self.stage([(1, ["Package.swift"], "Manifest.swift", "/src")])
        self.assertEqual(self.files(), ["Manifest.swift"])

    def test_copy_of_an_ignored_or_missing_source_is_fatal(self):
        for source in ("README.md", "nothing"):
            with self.assertRaisesRegex(Fatal, f"line 9: COPY {source}: not in the build context"):
                self.stage([(9, [source], "./", "/src")])

    def test_copy_outside_the_workdir_is_fatal(self):
        with self.assertRaisesRegex(Fatal, "COPY to /etc; this check only stages copies into /src"):
            self.stage([(4, ["Package.swift"], "/etc", "/src")])


if __name__ == "__main__":
    unittest.main()
