"""python3 -m container_check static | context DIRECTORY | binary BUILT STRIPPED

The steps scripts/check-container runs, from the repository's root (PYTHONPATH=scripts):

    static    checks the Dockerfile, docker-compose.yml, .env.example and .dockerignore; prints
              SWIFT_BUILD_FLAGS one word a line on stdout (what it read goes to stderr)
    context   stages the build context the Dockerfile's COPY lines and .dockerignore make in DIRECTORY
    binary    checks the libraries of the built binary, prints the sizes measured here, and runs the
              stripped binary as the image runs it

Each runs the static checks first. A failure prints `check-container: FAIL: …` lines and exits 1.
"""

import os
import sys

from . import binary, compose, context, dockerfile
from .common import ROOT, Fatal, finish, read


def static_checks(root=ROOT):
    """(docker, defined, services): the Dockerfile's parse, .env.example's values, compose's service names."""
    docker, problems = dockerfile.parse(read("Dockerfile", root))
    known, config = compose.config_variables(read("config.toml", root))
    problems += compose.statehouse_variable_problems("Dockerfile ENV", docker["env"], known)
    finish(problems, "the Dockerfile")

    text = read("docker-compose.yml", root)
    document = compose.load(text)
    defined = compose.dotenv(read(".env.example", root))
    finish(compose.compose_problems(document, text, defined, docker["exposed"], known, root), "docker-compose.yml")

    problems = compose.env_example_problems(defined, config)
    problems += context.dockerignore_problems(dockerignore(root))
    finish(problems, ".env.example and .dockerignore")
    return docker, defined, list(document["services"])


def dockerignore(root=ROOT):
    path = os.path.join(root, ".dockerignore")
    return context.parse_dockerignore(read(".dockerignore", root)) if os.path.exists(path) else []


def main(argv):
    if not argv or argv[0] not in ("static", "context", "binary"):
        raise Fatal(f"usage: python3 -m container_check static | context DIRECTORY | binary BUILT STRIPPED (got {argv})")
    command = argv[0]
    docker, defined, services = static_checks()
    if command == "static":
        print(f"Dockerfile: {docker['build']['image']} -> {docker['runtime']['image']}; "
              f"runtime packages: {' '.join(docker['packages'])}", file=sys.stderr)
        print(f"docker-compose.yml: services {', '.join(services)}; .env.example defines {', '.join(defined)}",
              file=sys.stderr)
        print("\n".join(docker["flags"]))
    elif command == "context":
        context.stage_context(docker["copies"], dockerignore(), ROOT, os.path.join(ROOT, argv[1]))
    else:
        built, stripped = os.path.abspath(argv[1]), os.path.abspath(argv[2])
        added, installed, newest = binary.check_libraries(docker, built)
        binary.print_sizes(built, stripped, added, installed, newest)
        binary.smoke(docker, stripped, ROOT, defined["STATEHOUSE_USERS"][0],
                     defined.get("STATEHOUSE_ENCRYPTION_KEYS", ("",))[0], defined["TF_HTTP_USERNAME"][0],
                     defined["TF_HTTP_PASSWORD"][0])


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Fatal as failure:
        sys.stdout.flush()
        for message in failure.problems:
            print(f"check-container: FAIL: {message}", file=sys.stderr)
        print(f"check-container: FAIL: {failure.message}", file=sys.stderr)
        sys.exit(1)
