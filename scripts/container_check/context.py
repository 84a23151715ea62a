"""The build context: .dockerignore, and the build stage's WORKDIR as the Dockerfile's COPY lines fill it."""

import os
import re
import shutil

from .common import BUILD_WORKDIR, Fatal

# What must never reach the builder, and what the Dockerfile needs from the context.
MUST_IGNORE = (".env", ".git/config", ".build/debug.yaml", ".build-release/x", "data/statehouse.db",
               "Package.resolved", ".swiftpm/x")
MUST_SEND = ("Package.swift", "Sources/statehouse/Serve.swift", "config.toml")
# Written by SwiftPM in the package directory; staging leaves them in place between runs.
GENERATED = {"Package.resolved", ".swiftpm"}


def parse_dockerignore(text):
    """[(regex, negate)] for each pattern of a .dockerignore, in order."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line[1:] if negate else line).lstrip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            c = pattern[i]
            if pattern.startswith("**", i):
                regex += ".*"
                i += 2
                if pattern.startswith("/", i):
                    regex += "/?"
                    i += 1
                continue
            regex += {"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c))
            i += 1
        patterns.append((re.compile(regex + r"\Z"), negate))
    return patterns


def ignored(path, patterns):
    """Docker's rule: the last pattern matching the path or one of its parent directories wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for regex, negate in patterns:
        if any(regex.match(prefix) for prefix in prefixes):
            result = not negate
    return result


def dockerignore_problems(patterns):
    problems = [f".dockerignore: {path} would be sent to the builder" for path in MUST_IGNORE
                if not ignored(path, patterns)]
    problems += [f".dockerignore: {path} is left out, but the Dockerfile needs it" for path in MUST_SEND
                 if ignored(path, patterns)]
    return problems


def context_files(copies, patterns, root):
    """{path under the WORKDIR: path in the repository} for the build stage's COPY lines, and the
    directories they create (which exist in the image even when empty)."""
    wanted, directories = {}, set()
    for line, sources, target, workdir in copies:
        base = target if target.startswith("/") else os.path.join(workdir or "/", target)
        base = os.path.normpath(base)
        if base != BUILD_WORKDIR and not base.startswith(BUILD_WORKDIR + "/"):
            raise Fatal(f"Dockerfile line {line}: COPY to {base}; this check only stages copies into {BUILD_WORKDIR}")
        relative_base = os.path.relpath(base, BUILD_WORKDIR)
        for source in sources:
            source = os.path.normpath(source)
            full = os.path.join(root, source)
            if not os.path.exists(full) or ignored(source, patterns):
                raise Fatal(f"Dockerfile line {line}: COPY {source}: not in the build context (missing or in .dockerignore)")
            if os.path.isdir(full):
                for directory, dirs, files in os.walk(full):
                    for name in files:
                        path = os.path.relpath(os.path.join(directory, name), root)
                        if not ignored(path, patterns):
                            inside = os.path.relpath(path, source)
                            wanted[os.path.normpath(os.path.join(relative_base, inside))] = path
                    for name in dirs:
                        path = os.path.relpath(os.path.join(directory, name), root)
                        directories.add(os.path.normpath(os.path.join(relative_base, os.path.relpath(path, source))))
            else:
                into_directory = target.endswith("/") or len(sources) > 1
                path = os.path.join(relative_base, os.path.basename(source)) if into_directory else relative_base
                wanted[os.path.normpath(path)] = source
    return wanted, directories


def stage_context(copies, patterns, root, destination):
    """Lay out the build stage's WORKDIR in destination as the COPY lines and .dockerignore make it:
    files no longer wanted are removed, changed ones copied (size and mtime compared)."""
    wanted, directories = context_files(copies, patterns, root)
    for directory in directories:
        os.makedirs(os.path.join(destination, directory), exist_ok=True)
    os.makedirs(destination, exist_ok=True)
    for directory, dirs, files in os.walk(destination, topdown=True):
        relative_directory = os.path.relpath(directory, destination)
        if relative_directory == ".":
            dirs[:] = [d for d in dirs if d not in GENERATED]
        for name in files:
            relative = os.path.normpath(os.path.join(relative_directory, name))
            if relative not in wanted and relative not in GENERATED:
                os.remove(os.path.join(destination, relative))
    copied = 0
    for relative, source in wanted.items():
        target_path = os.path.join(destination, relative)
        source_stat = os.stat(os.path.join(root, source))
        try:
            target_stat = os.stat(target_path)
            same = target_stat.st_size == source_stat.st_size and int(target_stat.st_mtime) == int(source_stat.st_mtime)
        except FileNotFoundError:
            same = False
        if not same:
            os.makedirs(os.path.dirname(target_path), exist_ok=True)
            shutil.copy2(os.path.join(root, source), target_path)
            copied += 1
    print(f"staged {len(wanted)} files into {os.path.relpath(destination, root)} ({copied} changed)")
    return len(wanted), copied
