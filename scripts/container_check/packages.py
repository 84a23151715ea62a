"""dpkg's database on this machine: who owns a file, what apt installs with a package, what its files weigh."""

import gzip
import os
import re
import stat
import tarfile
import tempfile

from .common import run

# The packages of debian:bookworm-slim: debuerreotype/docker-debian-artifacts, bookworm/slim/
# rootfs.manifest (the same names on every architecture, without their :arch qualifiers). A
# dependency already in the image adds nothing to it; apt picks an alternative that is already there.
SLIM_PACKAGES = frozenset("""
adduser apt base-files base-passwd bash bsdutils coreutils dash debconf debian-archive-keyring
debianutils diffutils dpkg e2fsprogs findutils gcc-12-base gpgv grep gzip hostname
init-system-helpers libacl1 libapt-pkg6.0 libattr1 libaudit-common libaudit1 libblkid1 libbz2-1.0
libc-bin libc6 libcap-ng0 libcap2 libcom-err2 libcrypt1 libdb5.3 libdebconfclient0 libext2fs2
libffi8 libgcc-s1 libgcrypt20 libgmp10 libgnutls30 libgpg-error0 libhogweed6 libidn2-0 liblz4-1
liblzma5 libmd0 libmount1 libnettle8 libp11-kit0 libpam-modules libpam-modules-bin libpam-runtime
libpam0g libpcre2-8-0 libseccomp2 libselinux1 libsemanage-common libsemanage2 libsepol2
libsmartcols1 libss2 libstdc++6 libsystemd0 libtasn1-6 libtinfo6 libudev1 libunistring2 libuuid1
libxxhash0 libzstd1 login logsave mawk mount ncurses-base ncurses-bin passwd perl-base sed
sysvinit-utils tar tzdata usr-is-merged util-linux util-linux-extra zlib1g
""".split())
# The slim image's dpkg leaves these out of every package it installs (debuerreotype's
# scripts/.slimify-excludes, less the copyright files its .slimify-includes keeps).
SLIM_EXCLUDED = re.compile(r"^/usr/share/(doc/(?!.*/copyright$)|man/|info/|groff/|lintian/|linda/|locale/)")
# Libraries every Debian image has: what libc6 owns (libc.so.6, ld-linux-x86-64.so.2, libm.so.6,
# libpthread.so.0, libdl.so.2, librt.so.1, libresolv.so.2) is Essential, the same glibc 2.36 in the
# swift:…-bookworm build image and in debian:bookworm-slim.
BASE_PACKAGES = frozenset({"libc6"})

DPKG_QUERY_FORMAT = "${Package}\t${db:Status-Abbrev}\t${Installed-Size}\t${Pre-Depends}\t${Depends}\t${Provides}\n"


def package_name(relation):
    """`libssl3 (>= 3.0.0)`, `libc6:amd64` -> the bare package name."""
    return re.split(r"[\s(:]", relation.strip(), maxsplit=1)[0]


def parse_installed(text):
    """(packages, providers) from `dpkg-query -W -f=DPKG_QUERY_FORMAT`'s output, installed packages only.

    packages: name -> {"depends": [[alternatives]] (Pre-Depends and Depends), "size": Installed-Size
    in KiB}; providers: virtual package -> [names of the installed packages that provide it].
    """
    packages, providers = {}, {}
    for line in text.splitlines():
        name, status, size, pre, depends, provides = (line.split("\t") + [""] * 6)[:6]
        if not status.startswith("ii"):
            continue
        groups = []
        for field in (pre, depends):
            for group in filter(None, (g.strip() for g in field.split(","))):
                groups.append([package_name(a) for a in group.split("|")])
        packages[name] = {"depends": groups, "size": int(size or 0)}
        for provided in filter(None, (p.strip() for p in provides.split(","))):
            providers.setdefault(package_name(provided), []).append(name)
    return packages, providers


def installed_packages():
    return parse_installed(run(["dpkg-query", "-W", "-f=" + DPKG_QUERY_FORMAT]).stdout)


def dependency_closure(roots, packages, providers, base=SLIM_PACKAGES):
    """(closure, missing): what `apt-get install --no-install-recommends ROOTS` puts in an image that
    already has `base` (Depends, Pre-Depends), resolved against the packages installed here; missing
    holds the relations nothing installed here satisfies."""
    def resolve(name):
        if name in packages:
            return name
        candidates = providers.get(name, [])
        return next((c for c in candidates if c in base), candidates[0] if candidates else None)

    closure, queue, missing = set(), list(roots), set()
    while queue:
        name = queue.pop()
        real = resolve(name)
        if real is None:
            missing.add(name)
            continue
        if real in closure:
            continue
        closure.add(real)
        for alternatives in packages[real]["depends"]:
            resolved = [resolve(a) for a in alternatives]
            chosen = next((r for r in resolved if r in closure or r in base), None) \
                or next((r for r in resolved if r), None)
            if chosen is None:
                missing.add(" | ".join(alternatives))
            else:
                queue.append(chosen)
    return closure, missing


def owner_candidates(path, real_path):
    """The paths to ask dpkg -S about: the path, its real path, and each with or without /usr (merged /usr)."""
    candidates = [path, real_path]
    for candidate in list(candidates):
        candidates.append(candidate[len("/usr"):] if candidate.startswith("/usr/") else "/usr" + candidate)
    return candidates


def dpkg_owner(path):
    """The package owning a file (dpkg -S), or None."""
    for candidate in owner_candidates(path, os.path.realpath(path)):
        result = run(["dpkg", "-S", candidate])
        if result.returncode == 0:
            return result.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def package_payload(names):
    """(bytes, gzip bytes) of the regular files these packages install, as the slim image keeps them:
    sizes from lstat of each file `dpkg-query -L` lists, gzip of a tar of them (level 6)."""
    buffer = tempfile.TemporaryFile()
    total = 0
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6) as compressed:
        with tarfile.open(fileobj=compressed, mode="w|") as archive:
            for name in sorted(names):
                for path in run(["dpkg-query", "-L", name]).stdout.splitlines():
                    if SLIM_EXCLUDED.match(path):
                        continue
                    try:
                        info = os.lstat(path)
                    except FileNotFoundError:
                        continue
                    if stat.S_ISREG(info.st_mode):
                        total += info.st_size
                        archive.add(path, recursive=False)
    size = buffer.tell()
    buffer.close()
    return total, size
