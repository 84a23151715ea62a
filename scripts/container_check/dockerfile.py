"""The Dockerfile: its instructions, and the build and runtime stages this repository's image needs."""

import json
import os
import re
import shlex

from .common import BUILD_WORKDIR, Fatal


def instructions(text):
    """(line, KEYWORD, arguments) with continuation lines joined; comments and blank lines dropped."""
    found, buffer, start = [], "", None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if start is None:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        keyword, _, rest = buffer.strip().partition(" ")
        found.append((start, keyword.upper(), rest.strip()))
        buffer, start = "", None
    if buffer:
        raise Fatal("Dockerfile: the last instruction ends with a line continuation")
    return found


def stages(text):
    """[{image, name, line, instructions}] for each FROM; only ARG may come before the first."""
    found = []
    for line, keyword, rest in instructions(text):
        if keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].lower() == "as" else None
            found.append({"image": words[0], "name": name, "line": line, "instructions": []})
        elif not found:
            if keyword != "ARG":
                raise Fatal(f"Dockerfile line {line}: {keyword} before the first FROM")
        else:
            found[-1]["instructions"].append((line, keyword, rest))
    return found


def assignments(rest):
    """NAME=value pairs of an ARG or ENV line, unquoted as the Dockerfile does."""
    pairs = {}
    for word in shlex.split(rest):
        name, equals, value = word.partition("=")
        if not equals:
            raise Fatal(f"Dockerfile: '{rest}' is not NAME=value (the only form this check reads)")
        pairs[name] = value
    return pairs


def exec_form(rest, what):
    try:
        argv = json.loads(rest)
    except json.JSONDecodeError:
        raise Fatal(f"Dockerfile: {what} must be in exec form (a JSON array), got: {rest}") from None
    if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
        raise Fatal(f"Dockerfile: {what} must be a non-empty JSON array of strings")
    return argv


def shell_commands(script):
    """The simple commands of a RUN line, split at &&, || and ;."""
    return [part.strip() for part in re.split(r"&&|\|\||;", script) if part.strip()]


def parse(text):
    """(info, problems): what the other checks need from the Dockerfile, and what is wrong with it.

    info: build, runtime (the stages), flags (SWIFT_BUILD_FLAGS as words), copies (line, sources,
    target, workdir) of the build stage, and of the runtime stage: packages (its apt-get install),
    env, volumes, exposed, health_argv, entrypoint, cmd.
    """
    problems = []
    found = stages(text)
    if len(found) < 2:
        raise Fatal("Dockerfile: needs a build stage and a runtime stage (found %d FROM)" % len(found))
    build = next((s for s in found if s["name"] == "build"), None)
    runtime = found[-1]
    if build is None:
        raise Fatal("Dockerfile: no stage named 'build' (FROM swift:… AS build)")
    if build is runtime:
        raise Fatal("Dockerfile: the build stage must not be the last (runtime) stage")
    info = {"build": build, "runtime": runtime}

    if not re.fullmatch(r"swift:6\.\d+(\.\d+)?-bookworm", build["image"]):
        problems.append(f"Dockerfile: the build stage should be an official swift:6.x-bookworm image, is {build['image']}")
    if runtime["image"] != "debian:bookworm-slim":
        problems.append(f"Dockerfile: the runtime stage should be debian:bookworm-slim, is {runtime['image']}")

    # Build stage: the flags, the build command, what is copied in.
    flags, workdir, copies, build_run = None, None, [], None
    for line, keyword, rest in build["instructions"]:
        if keyword == "ARG" and rest.startswith("SWIFT_BUILD_FLAGS="):
            flags = assignments(rest)["SWIFT_BUILD_FLAGS"]
        elif keyword == "WORKDIR":
            workdir = rest
        elif keyword == "COPY":
            words = shlex.split(rest)
            if any(w.startswith("--from") for w in words):
                continue
            words = [w for w in words if not w.startswith("--")]
            copies.append((line, words[:-1], words[-1], workdir))
        elif keyword == "RUN" and "swift build" in rest and "--product statehouse" in rest:
            build_run = rest
    if flags is None:
        raise Fatal('Dockerfile: the build stage needs ARG SWIFT_BUILD_FLAGS="…" (the one place the release flags live)')
    words = shlex.split(flags)
    if words[:2] != ["-c", "release"] and "-c release" not in flags and "--configuration release" not in flags:
        problems.append(f"Dockerfile: SWIFT_BUILD_FLAGS must build -c release, is '{flags}'")
    if "--static-swift-stdlib" not in words:
        problems.append(f"Dockerfile: SWIFT_BUILD_FLAGS must include --static-swift-stdlib, is '{flags}'")
    if build_run is None or "${SWIFT_BUILD_FLAGS}" not in build_run:
        problems.append("Dockerfile: the build stage must run `swift build ${SWIFT_BUILD_FLAGS} --product statehouse`")
    elif "strip" not in build_run:
        problems.append("Dockerfile: the build stage should strip the binary")
    if workdir != BUILD_WORKDIR:
        problems.append(f"Dockerfile: the build stage's WORKDIR must be {BUILD_WORKDIR} (this check stages the "
                        f"context there), is {workdir}")
    info.update(flags=words, copies=copies)

    # Runtime stage.
    packages, env, user, volumes, exposed, healthcheck = None, {}, None, [], [], None
    entrypoint, cmd, stopsignal, runtime_copies = None, None, None, []
    for line, keyword, rest in runtime["instructions"]:
        if keyword == "RUN":
            for command in shell_commands(rest):
                words = shlex.split(command)
                while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
                    words = words[1:]
                if words[:2] in (["apt-get", "install"], ["apt", "install"]):
                    if packages is not None:
                        problems.append(f"Dockerfile line {line}: a second apt-get install in the runtime stage")
                    packages = [w for w in words[2:] if not w.startswith("-")]
                    if "--no-install-recommends" not in words:
                        problems.append(f"Dockerfile line {line}: the runtime apt-get install needs --no-install-recommends")
                    if "rm -rf /var/lib/apt/lists/*" not in rest:
                        problems.append(f"Dockerfile line {line}: remove /var/lib/apt/lists/* in the same RUN as apt-get install")
        elif keyword == "ENV":
            env.update(assignments(rest))
        elif keyword == "USER":
            user = rest
        elif keyword == "VOLUME":
            volumes += json.loads(rest) if rest.startswith("[") else rest.split()
        elif keyword == "EXPOSE":
            exposed += rest.split()
        elif keyword == "HEALTHCHECK":
            healthcheck = rest
        elif keyword == "ENTRYPOINT":
            entrypoint = exec_form(rest, "ENTRYPOINT")
        elif keyword == "CMD":
            cmd = exec_form(rest, "CMD")
        elif keyword == "STOPSIGNAL":
            stopsignal = rest
        elif keyword == "COPY":
            runtime_copies.append(shlex.split(rest))
    if not packages:
        raise Fatal("Dockerfile: no apt-get install in the runtime stage")
    if user is None:
        problems.append("Dockerfile: no USER in the runtime stage (it would run as root)")
    elif user.split(":")[0] in ("root", "0", ""):
        problems.append(f"Dockerfile: USER {user} is root")
    if not volumes:
        problems.append("Dockerfile: no VOLUME for the data directory")
    if not exposed:
        problems.append("Dockerfile: no EXPOSE")
    if healthcheck is None or healthcheck.strip().upper() == "NONE":
        problems.append("Dockerfile: no HEALTHCHECK in the runtime stage")
        health_argv = None
    else:
        options, _, command = healthcheck.partition("CMD ")
        if not command:
            raise Fatal(f"Dockerfile: HEALTHCHECK needs CMD, got: {healthcheck}")
        health_argv = exec_form(command.strip(), "HEALTHCHECK CMD")
        for option in ("--interval", "--timeout", "--start-period", "--retries"):
            if option not in options:
                problems.append(f"Dockerfile: HEALTHCHECK should set {option}")
    if entrypoint != ["statehouse"]:
        problems.append(f"Dockerfile: ENTRYPOINT should be [\"statehouse\"], is {entrypoint}")
    if cmd != ["serve"]:
        problems.append(f"Dockerfile: CMD should be [\"serve\"], is {cmd}")
    if stopsignal not in ("SIGTERM", "15", None):
        problems.append(f"Dockerfile: STOPSIGNAL {stopsignal}: the server drains on SIGTERM")
    config_path = env.get("STATEHOUSE_CONFIG")
    if not any(words[-2:] == ["config.toml", config_path] for words in runtime_copies):
        problems.append(f"Dockerfile: the runtime stage should COPY config.toml to $STATEHOUSE_CONFIG ({config_path})")
    backtrace = env.get("SWIFT_BACKTRACE", "").split(",")
    if "enable=no" not in backtrace:
        problems.append("Dockerfile: the runtime stage should set ENV SWIFT_BACKTRACE=enable=no, so that a fatal error "
                        "ends the process at once instead of waiting for Swift's crash reporter (minutes with many "
                        f"connections); it is {env.get('SWIFT_BACKTRACE')!r}")
    data = os.path.dirname(env.get("STATEHOUSE_STORAGE_PATH", ""))
    if data not in volumes:
        problems.append(f"Dockerfile: the SQLite file (STATEHOUSE_STORAGE_PATH) should be on the VOLUME, is {data} "
                        f"(volumes {volumes})")
    info.update(packages=packages, env=env, volumes=volumes, exposed=exposed, health_argv=health_argv,
                entrypoint=entrypoint, cmd=cmd)
    return info, problems
