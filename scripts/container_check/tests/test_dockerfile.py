import unittest

from container_check import dockerfile
from container_check.common import Fatal

VALID = """\
# comment
ARG BASE=x
FROM swift:6.3.1-bookworm AS build
ARG SWIFT_BUILD_FLAGS="-c release --static-swift-stdlib"
WORKDIR /src
COPY Package.swift ./
COPY --from=other /a /b
COPY --chown=1:1 Sources ./Sources
RUN set -eux; \\
    swift build ${SWIFT_BUILD_FLAGS} --product statehouse; \\
    strip /out/statehouse

FROM debian:bookworm-slim AS runtime
RUN set -eux; \\
    apt-get update; \\
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
        ca-certificates \\
        libpq5 \\
    ; \\
    rm -rf /var/lib/apt/lists/*
COPY --from=build /out/statehouse /usr/local/bin/statehouse
COPY config.toml /etc/statehouse/config.toml
ENV STATEHOUSE_CONFIG=/etc/statehouse/config.toml \\
    STATEHOUSE_SERVER_HOST="*" \\
    STATEHOUSE_STORAGE_PATH=/var/lib/statehouse/statehouse.db \\
    SWIFT_BACKTRACE=enable=no
USER 10001:10001
VOLUME /var/lib/statehouse
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=10s --start-period=40s --retries=3 \\
    CMD ["statehouse", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["statehouse"]
CMD ["serve"]
"""


def parse(text):
    return dockerfile.parse(text)


class InstructionsTests(unittest.TestCase):
    def test_joins_continuations_and_drops_comments(self):
        found = dockerfile.instructions("# c\n\nFROM a AS b\nRUN one \\\n    two \\\n  three\nuser x\n")
        self.assertEqual(found, [(3, "FROM", "a AS b"), (4, "RUN", "one      two    three"), (7, "USER", "x")])

    def test_dangling_continuation_is_fatal(self):
        with self.assertRaisesRegex(Fatal, "line continuation"):
            dockerfile.instructions("FROM a\nRUN x \\\n")

    def test_instruction_before_from_is_fatal_but_arg_is_allowed(self):
        self.assertEqual(len(dockerfile.stages("ARG X=1\nFROM a AS b\n")), 1)
        with self.assertRaisesRegex(Fatal, "line 1: RUN before the first FROM"):
            dockerfile.stages("RUN x\nFROM a\n")

    def test_stage_names(self):
        found = dockerfile.stages("FROM --platform=$P swift:6 AS build\nFROM debian\n")
        self.assertEqual([(s["image"], s["name"]) for s in found], [("swift:6", "build"), ("debian", None)])

    def test_assignments_unquote(self):
        self.assertEqual(dockerfile.assignments('A="x y" B=* C=\'$z\''), {"A": "x y", "B": "*", "C": "$z"})
        with self.assertRaisesRegex(Fatal, "not NAME=value"):
            dockerfile.assignments("A x")

    def test_exec_form(self):
        self.assertEqual(dockerfile.exec_form('["a", "b"]', "CMD"), ["a", "b"])
        for bad in ("a b", "[]", "[1]"):
            with self.assertRaises(Fatal):
                dockerfile.exec_form(bad, "CMD")

    def test_shell_commands(self):
        self.assertEqual(dockerfile.shell_commands("a; b && c || d"), ["a", "b", "c", "d"])


class ParseTests(unittest.TestCase):
    def test_valid_dockerfile(self):
        info, problems = parse(VALID)
        self.assertEqual(problems, [])
        self.assertEqual(info["flags"], ["-c", "release", "--static-swift-stdlib"])
        # COPY --from is not part of the context; other options are dropped.
        self.assertEqual(info["copies"], [(6, ["Package.swift"], "./", "/src"), (8, ["Sources"], "./Sources", "/src")])
        self.assertEqual(info["packages"], ["ca-certificates", "libpq5"])
        self.assertEqual(info["env"]["STATEHOUSE_SERVER_HOST"], "*")
        self.assertEqual(info["volumes"], ["/var/lib/statehouse"])
        self.assertEqual(info["exposed"], ["8080"])
        self.assertEqual(info["health_argv"], ["statehouse", "healthcheck"])
        self.assertEqual((info["entrypoint"], info["cmd"]), (["statehouse"], ["serve"]))
        self.assertEqual((info["build"]["image"], info["runtime"]["image"]), ("swift:6.3.1-bookworm", "debian:bookworm-slim"))

    def test_flags_come_from_the_arg(self):
        info, problems = parse(VALID.replace('"-c release --static-swift-stdlib"', '"-c release --static-swift-stdlib -Xswiftc -g"'))
        self.assertEqual(info["flags"], ["-c", "release", "--static-swift-stdlib", "-Xswiftc", "-g"])
        self.assertEqual(problems, [])

    def test_missing_flags_arg_is_fatal(self):
        with self.assertRaisesRegex(Fatal, "ARG SWIFT_BUILD_FLAGS"):
            parse(VALID.replace('ARG SWIFT_BUILD_FLAGS="-c release --static-swift-stdlib"\n', ""))

    def test_flags_must_be_release_and_static(self):
        _, problems = parse(VALID.replace('"-c release --static-swift-stdlib"', '"-c debug"'))
        self.assertEqual(len(problems), 2)
        self.assertIn("must build -c release", problems[0])
        self.assertIn("--static-swift-stdlib", problems[1])

    def test_build_must_use_the_flags_and_strip(self):
        _, problems = parse(VALID.replace("swift build ${SWIFT_BUILD_FLAGS}", "swift build -c release"))
        self.assertEqual(problems, ["Dockerfile: the build stage must run `swift build ${SWIFT_BUILD_FLAGS} --product statehouse`"])
        _, problems = parse(VALID.replace("strip /out/statehouse", "true"))
        self.assertEqual(problems, ["Dockerfile: the build stage should strip the binary"])

    def test_workdir(self):
        _, problems = parse(VALID.replace("WORKDIR /src", "WORKDIR /app"))
        self.assertEqual(problems, ["Dockerfile: the build stage's WORKDIR must be /src (this check stages the context there), is /app"])

    def test_images(self):
        _, problems = parse(VALID.replace("swift:6.3.1-bookworm", "swift:6.3.1-jammy").replace("debian:bookworm-slim", "ubuntu:24.04"))
        self.assertEqual(len(problems), 2)
        self.assertIn("swift:6.x-bookworm", problems[0])
        self.assertIn("debian:bookworm-slim, is ubuntu:24.04", problems[1])

    def test_stages_required(self):
        with self.assertRaisesRegex(Fatal, "found 1 FROM"):
            parse("FROM swift:6.3-bookworm AS build\n")
        with self.assertRaisesRegex(Fatal, "no stage named 'build'"):
            parse(VALID.replace(" AS build", ""))
        with self.assertRaisesRegex(Fatal, "must not be the last"):
            parse(VALID.replace("AS build", "AS x").replace("AS runtime", "AS build"))

    def test_root_user(self):
        for user in ("root", "0:0"):
            _, problems = parse(VALID.replace("USER 10001:10001", f"USER {user}"))
            self.assertEqual(problems, [f"Dockerfile: USER {user} is root"])
        _, problems = parse(VALID.replace("USER 10001:10001\n", ""))
        self.assertEqual(problems, ["Dockerfile: no USER in the runtime stage (it would run as root)"])

    def test_apt_install_rules(self):
        _, problems = parse(VALID.replace(" --no-install-recommends", ""))
        self.assertEqual(problems, ["Dockerfile line 14: the runtime apt-get install needs --no-install-recommends"])
        _, problems = parse(VALID.replace("rm -rf /var/lib/apt/lists/*", "true"))
        self.assertEqual(problems, ["Dockerfile line 14: remove /var/lib/apt/lists/* in the same RUN as apt-get install"])
        with self.assertRaisesRegex(Fatal, "no apt-get install"):
            parse(VALID.replace("apt-get install", "apt-get download"))

    def test_healthcheck_volume_expose_signal(self):
        _, problems = parse(VALID.replace("--start-period=40s ", ""))
        self.assertEqual(problems, ["Dockerfile: HEALTHCHECK should set --start-period"])
        _, problems = parse(VALID.replace("HEALTHCHECK --interval", "HEALTHCHECK NONE\n# --interval").replace('    CMD ["statehouse", "healthcheck"]\n', ""))
        self.assertEqual(problems, ["Dockerfile: no HEALTHCHECK in the runtime stage"])
        _, problems = parse(VALID.replace("EXPOSE 8080\n", ""))
        self.assertEqual(problems, ["Dockerfile: no EXPOSE"])
        _, problems = parse(VALID.replace("STOPSIGNAL SIGTERM", "STOPSIGNAL SIGKILL"))
        self.assertEqual(problems, ["Dockerfile: STOPSIGNAL SIGKILL: the server drains on SIGTERM"])
        _, problems = parse(VALID.replace("VOLUME /var/lib/statehouse", "VOLUME /data"))
        self.assertEqual(len(problems), 1)
        self.assertIn("should be on the VOLUME, is /var/lib/statehouse", problems[0])

    def test_entrypoint_cmd_and_config_copy(self):
        _, problems = parse(VALID.replace('CMD ["serve"]', 'CMD ["migrate"]'))
        self.assertEqual(problems, ["Dockerfile: CMD should be [\"serve\"], is ['migrate']"])
        _, problems = parse(VALID.replace("COPY config.toml /etc/statehouse/config.toml", "COPY config.toml /etc/config.toml"))
        self.assertEqual(problems, ["Dockerfile: the runtime stage should COPY config.toml to $STATEHOUSE_CONFIG (/etc/statehouse/config.toml)"])

    def test_fatal_errors_skip_the_crash_reporter(self):
        _, problems = parse(VALID.replace("SWIFT_BACKTRACE=enable=no", "SWIFT_BACKTRACE=interactive=no,enable=no"))
        self.assertEqual(problems, [])
        for setting in ("SWIFT_BACKTRACE=interactive=no", "SWIFT_BACKTRACE=enable=yes", "UNRELATED=1"):
            _, problems = parse(VALID.replace("SWIFT_BACKTRACE=enable=no", setting))
            self.assertEqual(len(problems), 1, setting)
            self.assertIn("should set ENV SWIFT_BACKTRACE=enable=no", problems[0])


if __name__ == "__main__":
    unittest.main()
