"""The repository's own Dockerfile, compose file, .env.example and .dockerignore pass the static checks."""

import unittest
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO

from container_check import __main__ as entry
from container_check import dockerfile
from container_check.common import read


class RepositoryTests(unittest.TestCase):
    def test_static_checks_pass(self):
        docker, defined, services = entry.static_checks()
        self.assertEqual(services, ["postgres", "statehouse", "tofu", "tofu-remote-state"])
        self.assertIn("STATEHOUSE_USERS", defined)
        self.assertIn("libpq5", docker["packages"])

    def test_flags_are_the_dockerfiles(self):
        text = read("Dockerfile")
        line = next(l for l in text.splitlines() if l.startswith("ARG SWIFT_BUILD_FLAGS="))
        info, _ = dockerfile.parse(text)
        self.assertEqual(" ".join(info["flags"]), line.split("=", 1)[1].strip('"'))

    def test_static_command_prints_the_flags(self):
        with redirect_stdout(StringIO()) as out, redirect_stderr(StringIO()) as err:
            entry.main(["static"])
        info, _ = dockerfile.parse(read("Dockerfile"))
        self.assertEqual(out.getvalue().splitlines(), info["flags"])
        self.assertIn("runtime packages: ca-certificates", err.getvalue())


if __name__ == "__main__":
    unittest.main()
