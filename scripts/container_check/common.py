"""What every check shares: the repository root, reading its files, and how a check fails."""

import os
import subprocess

# scripts/container_check/common.py -> the repository.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_WORKDIR = "/src"  # must match the build stage's WORKDIR


class Fatal(Exception):
    """Stops the check: printed as `check-container: FAIL: message`, after any problems it carries."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def finish(problems, what):
    """Stops with every problem found so far in `what`, if there is any."""
    if problems:
        raise Fatal(f"{len(problems)} problem(s) in {what}", problems)


def read(path, root=ROOT):
    with open(os.path.join(root, path), encoding="utf-8") as file:
        return file.read()


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)
