"""The release binary: the shared libraries it loads and their packages, its sizes, and running it
as the image runs it."""

import base64
import gzip
import http.client
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from .common import Fatal, finish, run
from . import packages as dpkg

KERNEL_LIBRARIES = {"linux-vdso.so.1", "linux-gate.so.1"}  # the vDSO is the kernel's: no file
BOOKWORM_GLIBC = (2, 36)


# --- libraries ---------------------------------------------------------------------------------------

def needed_libraries(dynamic_section):
    """The NEEDED entries of `readelf -d --wide`."""
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic_section))


def newest_glibc(version_info):
    """The newest GLIBC_x.y symbol version `readelf -V --wide` shows, as a tuple; (0,) if none."""
    versions = [tuple(int(x) for x in v.split("."))
                for v in re.findall(r"GLIBC_(\d+\.\d+(?:\.\d+)?)", version_info)]
    return max(versions, default=(0,))


def ldd_entries(text):
    """(entries, problems): (name, path) for each library `ldd` lists, and its `not found` lines."""
    entries, problems = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if "not found" in line:
            problems.append(f"ldd: {line}")
            continue
        name = line.split()[0]
        path = line.split("=>")[1].split("(")[0].strip() if "=>" in line else name
        entries.append((name, path))
    return entries, problems


def classify_libraries(entries, needed, listed, owner_of, packages, providers):
    """(rows, problems): each library as (name, package, how the image gets it), or a problem.

    A library the binary links directly (needed) must come from a package the runtime stage lists
    (listed) or from libc6; one loaded through another library may also come from a dependency apt
    installs with the listed packages, or from a package debian:bookworm-slim already has.
    """
    closure, _ = dpkg.dependency_closure(listed, packages, providers)
    rows, problems = [], []
    for name, path in entries:
        if name in KERNEL_LIBRARIES:
            rows.append((name, "(kernel vDSO, no file)", "base"))
            continue
        owner = owner_of(path)
        if owner is None:
            problems.append(f"{name} ({path}): no Debian package owns it; the runtime image cannot get it from apt")
            continue
        direct = name in needed or os.path.basename(path) in needed
        if owner in dpkg.BASE_PACKAGES:
            rows.append((name, owner, "base (libc6, Essential)"))
        elif direct and owner in listed:
            rows.append((name, owner, "listed"))
        elif direct:
            problems.append(f"the binary links {name} directly, from package {owner}, which the Dockerfile's runtime "
                            f"apt-get install does not list ({' '.join(sorted(listed))})")
        elif owner in closure:
            how = "dependency of " + ", ".join(
                sorted(p for p in listed if owner in dpkg.dependency_closure([p], packages, providers)[0]))
            rows.append((name, owner, how + (" (already in slim)" if owner in dpkg.SLIM_PACKAGES else "")))
        elif owner in dpkg.SLIM_PACKAGES:
            rows.append((name, owner, "in debian:bookworm-slim"))
        else:
            problems.append(f"{name} (loaded through another library) comes from {owner}, which neither "
                            "debian:bookworm-slim nor the runtime packages' dependencies provide")
    return rows, problems


def check_libraries(docker, binary):
    """Checks the libraries the binary loads against the runtime stage's packages and prints them;
    returns (packages apt adds to debian:bookworm-slim, dpkg's packages, newest glibc needed)."""
    listed = {p.split(":")[0].split("=")[0] for p in docker["packages"]}
    needed = needed_libraries(run(["readelf", "-d", "--wide", binary]).stdout)
    ldd = run(["ldd", binary])
    if ldd.returncode != 0:
        raise Fatal(f"ldd {binary} failed: {ldd.stderr.strip()}")
    installed, providers = dpkg.installed_packages()
    closure, missing = dpkg.dependency_closure(listed, installed, providers)
    problems = [f"the runtime packages depend on {name}, which dpkg here cannot resolve (install it to check)"
                for name in sorted(missing)]
    entries, ldd_problems = ldd_entries(ldd.stdout)
    rows, library_problems = classify_libraries(entries, needed, listed, dpkg.dpkg_owner, installed, providers)
    problems += ldd_problems + library_problems
    newest = newest_glibc(run(["readelf", "-V", "--wide", binary]).stdout)
    if newest[:2] > BOOKWORM_GLIBC:
        problems.append(f"the binary needs GLIBC_{'.'.join(map(str, newest))}, newer than bookworm's {BOOKWORM_GLIBC}")
    finish(problems, "the binary's libraries")

    print("libraries (ldd) -> Debian package:")
    for name, owner, how in rows:
        print(f"  {name:28} {owner:24} {how}")
    unused = sorted(p for p in listed if p != "ca-certificates" and p not in {o for _, o, _ in rows})
    if unused:
        print(f"  (listed but no library of theirs is loaded: {' '.join(unused)})")
    return sorted(closure - dpkg.SLIM_PACKAGES), installed, newest


# --- sizes -------------------------------------------------------------------------------------------

def gzip_size(path):
    """Bytes of the file gzipped at level 6."""
    buffer = tempfile.TemporaryFile()
    with open(path, "rb") as source, gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6) as target:
        shutil.copyfileobj(source, target, 1 << 20)
    size = buffer.tell()
    buffer.close()
    return size


def megabytes(count):
    return f"{count / 1e6:.1f} MB"


def print_sizes(binary, stripped, added, installed, newest):
    """What is measured here: the binary as built, stripped and gzipped, and the files of the packages
    apt adds to debian:bookworm-slim as dpkg on this machine lists them. Not the image's size: no
    image is built, and the base image's own size is not measured here."""
    stripped_size = os.path.getsize(stripped)
    print(f"binary: {megabytes(os.path.getsize(binary))} as built, {megabytes(stripped_size)} stripped "
          f"({stripped_size / 2**20:.1f} MiB; {megabytes(gzip_size(stripped))} gzip), "
          f"glibc {'.'.join(map(str, newest))} at most")
    on_disk, compressed = dpkg.package_payload(added)
    installed_size = sum(installed[p]["size"] for p in added) * 1024  # Installed-Size is in KiB
    print(f"packages apt adds to debian:bookworm-slim ({len(added)}): {' '.join(added)}")
    print(f"  {megabytes(on_disk)} of files without docs/man/locales as slim installs them ({megabytes(compressed)} gzip); "
          f"their Installed-Size sum {megabytes(installed_size)}")


# --- running it ----------------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parse_subcommands(help_text):
    """The subcommand names under SUBCOMMANDS: in `statehouse --help`."""
    section = help_text.split("SUBCOMMANDS:", 1)[1] if "SUBCOMMANDS:" in help_text else ""
    return set(re.findall(r"^\s{2}([a-z][a-z0-9-]*)\s", section, re.MULTILINE))


def wait_for_line(process, needle, seconds):
    """Reads the server's output until a line satisfies needle; no sleeping, bounded by seconds."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    seen, deadline, pending = [], time.monotonic() + seconds, b""
    while time.monotonic() < deadline:
        if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            text = line.decode("utf-8", "replace")
            seen.append(text)
            if needle(text):
                return True, seen
    return False, seen + ([pending.decode("utf-8", "replace")] if pending else [])


def smoke(docker, stripped, root, users_text, keys_text, username, password):
    """Runs the stripped binary as the image runs it (see scripts/check-container)."""
    problems = []
    commands = parse_subcommands(run([stripped, "--help"]).stdout)
    version = run([stripped, "--version"])
    if version.returncode != 0 or not version.stdout.strip():
        raise Fatal(f"statehouse --version failed (exit {version.returncode}): {version.stderr.strip()}")
    print(f"statehouse --version: {version.stdout.strip()}")
    wanted = {docker["cmd"][0], "hash-password", "generate-key"}
    if docker["health_argv"]:
        if docker["health_argv"][0] != "statehouse":
            problems.append(f"HEALTHCHECK runs {docker['health_argv'][0]}, not statehouse (the image has no other tool)")
        wanted.add(docker["health_argv"][1])
    for command in sorted(wanted - commands):
        problems.append(f"the Dockerfile or .env.example uses `statehouse {command}`, which the binary does not have "
                        f"(its subcommands: {' '.join(sorted(commands))})")
    finish(problems, "the binary's commands")
    hashed = run([stripped, "hash-password"], input="check-container\n")
    if hashed.returncode != 0 or not hashed.stdout.strip().startswith("$pbkdf2-sha256$"):
        raise Fatal(f"statehouse hash-password failed (exit {hashed.returncode}): {hashed.stdout.strip()} "
                    f"{hashed.stderr.strip()}")

    with tempfile.TemporaryDirectory(prefix="check-container-") as volume:
        port = free_port()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        env.update(docker["env"])  # the image's ENV, with the paths that only exist in the image moved here
        env["STATEHOUSE_CONFIG"] = os.path.join(root, "config.toml")
        env["STATEHOUSE_STORAGE_PATH"] = os.path.join(volume, os.path.basename(docker["env"]["STATEHOUSE_STORAGE_PATH"]))
        env["STATEHOUSE_SERVER_PORT"] = str(port)
        serve = [stripped] + docker["cmd"]

        # The shipped default user on "*": refused.
        try:
            refused = subprocess.run(serve, env=env, cwd=volume, capture_output=True, text=True, timeout=30)
            if refused.returncode == 0:
                problems.append("`statehouse serve` with the image's environment and the default user exited 0; it must refuse")
            else:
                message = (refused.stderr.strip() or refused.stdout.strip()).splitlines()
                print(f"default user on '*' refused (exit {refused.returncode}): {message[-1] if message else ''}")
        except subprocess.TimeoutExpired:
            problems.append("`statehouse serve` with the image's environment started with the default admin/statehouse "
                            "user on '*'; it must refuse to (set STATEHOUSE_USERS)")
        finish(problems, "the default-user refusal")

        # With .env.example's users and encryption keys, the image's way.
        env["STATEHOUSE_USERS"] = users_text
        if keys_text:
            env["STATEHOUSE_ENCRYPTION_KEYS"] = keys_text
        env["STATEHOUSE_LOG_FORMAT"] = "json"
        process = subprocess.Popen(serve, env=env, cwd=volume, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            started, lines = wait_for_line(process, lambda line: str(port) in line, 60)
            if not started:
                process.kill()
                process.wait()
                raise Fatal("`statehouse serve` did not print its listening address within 60 s; it printed:\n  "
                            + "\n  ".join(lines[-20:]))
            print(f"serve started: {lines[-1][:200]}")
            health = run([stripped] + docker["health_argv"][1:], env=env, cwd=volume, timeout=30)
            if health.returncode != 0:
                problems.append(f"`statehouse {' '.join(docker['health_argv'][1:])}` exited {health.returncode} while "
                                f"the server runs: {health.stdout.strip()} {health.stderr.strip()}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            connection.request("GET", "/state/example/app", headers={"Authorization": "Basic " + token})
            status = connection.getresponse().status
            connection.close()
            if status == 401:
                problems.append(".env.example: TF_HTTP_PASSWORD does not match the password_hash of TF_HTTP_USERNAME "
                                "in STATEHOUSE_USERS")
            elif status != 404:
                problems.append(f"GET /state/example/app with .env.example's credentials: {status}, expected 404 (no state yet)")
            if not os.path.exists(env["STATEHOUSE_STORAGE_PATH"]):
                problems.append(f"the SQLite file is not at STATEHOUSE_STORAGE_PATH "
                                f"({docker['env']['STATEHOUSE_STORAGE_PATH']} in the image)")
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                code = None
        if code != 0:
            problems.append(f"`statehouse serve` exited {code} after SIGTERM; the image's STOPSIGNAL expects a drain and exit 0")
        else:
            print("SIGTERM: drained, exit 0")
        after = run([stripped] + docker["health_argv"][1:], env=env, cwd=volume, timeout=30)
        if after.returncode == 0:
            problems.append("`statehouse healthcheck` exited 0 with no server running")
        else:
            print(f"healthcheck: 0 while serving, {after.returncode} once stopped")
    finish(problems, "running the binary as the image does")
