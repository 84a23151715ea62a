import gzip
import os
import subprocess
import sys
import tempfile
import unittest

from container_check import binary, packages

LDD = """\
\tlinux-vdso.so.1 (0x00007ffc3b5f2000)
\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007f0e1c000000)
\tlibpq.so.5 => /lib/x86_64-linux-gnu/libpq.so.5 (0x00007f0e1bf00000)
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e1bd00000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f0e1c300000)
\tlibkrb5.so.3 => /lib/x86_64-linux-gnu/libkrb5.so.3 (0x00007f0e1bc00000)
\tlibgnutls.so.30 => /lib/x86_64-linux-gnu/libgnutls.so.30 (0x00007f0e1bb00000)

"""
READELF_D = """\
 0x0000000000000001 (NEEDED)             Shared library: [libssl.so.3]
 0x0000000000000001 (NEEDED)             Shared library: [libpq.so.5]
 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]
 0x000000000000000e (SONAME)             Library soname: [x.so]
"""
OWNERS = {
    "/lib/x86_64-linux-gnu/libssl.so.3": "libssl3",
    "/lib/x86_64-linux-gnu/libpq.so.5": "libpq5",
    "/lib/x86_64-linux-gnu/libc.so.6": "libc6",
    "/lib64/ld-linux-x86-64.so.2": "libc6",
    "/lib/x86_64-linux-gnu/libkrb5.so.3": "libkrb5-3",
    "/lib/x86_64-linux-gnu/libgnutls.so.30": "libgnutls30",
}
DPKG = "\n".join("\t".join(row) for row in (
    ("libpq5", "ii ", "900", "", "libc6, libkrb5-3, libssl3", ""),
    ("libssl3", "ii ", "6000", "", "libc6", ""),
    ("libkrb5-3", "ii ", "1000", "", "libc6", ""),
    ("libgnutls30", "ii ", "3000", "", "libc6", ""),
    ("libc6", "ii ", "12000", "", "", ""),
))


def classify(listed, owners=OWNERS, ldd=LDD, needed=READELF_D):
    entries, _ = binary.ldd_entries(ldd)
    installed, providers = packages.parse_installed(DPKG)
    return binary.classify_libraries(entries, binary.needed_libraries(needed), set(listed), owners.get,
                                     installed, providers)


class ReadelfTests(unittest.TestCase):
    def test_needed(self):
        self.assertEqual(binary.needed_libraries(READELF_D), {"libssl.so.3", "libpq.so.5", "libc.so.6"})

    def test_newest_glibc(self):
        text = "  0x0010: Name: GLIBC_2.2.5  Flags: none\n  0x0020: Name: GLIBC_2.34\n  Name: GLIBC_2.17\n  GLIBCXX_3.4.30\n"
        self.assertEqual(binary.newest_glibc(text), (2, 34))
        self.assertEqual(binary.newest_glibc(""), (0,))
        self.assertGreater(binary.newest_glibc("GLIBC_2.38")[:2], binary.BOOKWORM_GLIBC)


class LibraryTests(unittest.TestCase):
    def test_ldd_entries(self):
        entries, problems = binary.ldd_entries(LDD + "\tlibmissing.so.1 => not found\n")
        self.assertEqual(entries[0], ("linux-vdso.so.1", "linux-vdso.so.1"))
        self.assertEqual(entries[1], ("libssl.so.3", "/lib/x86_64-linux-gnu/libssl.so.3"))
        self.assertEqual(entries[4], ("/lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2"))
        self.assertEqual(len(entries), 7)
        self.assertEqual(problems, ["ldd: libmissing.so.1 => not found"])

    def test_every_library_accounted_for(self):
        rows, problems = classify({"libssl3", "libpq5"})
        self.assertEqual(problems, [])
        self.assertEqual(rows, [
            ("linux-vdso.so.1", "(kernel vDSO, no file)", "base"),
            ("libssl.so.3", "libssl3", "listed"),
            ("libpq.so.5", "libpq5", "listed"),
            ("libc.so.6", "libc6", "base (libc6, Essential)"),
            ("/lib64/ld-linux-x86-64.so.2", "libc6", "base (libc6, Essential)"),
            ("libkrb5.so.3", "libkrb5-3", "dependency of libpq5"),
            ("libgnutls.so.30", "libgnutls30", "in debian:bookworm-slim"),
        ])

    def test_indirect_library_of_a_listed_package(self):
        # libcrypto.so.3 is not NEEDED by the binary: it comes with libssl3, which libpq5 also depends on.
        ldd = "\tlibcrypto.so.3 => /lib/x86_64-linux-gnu/libcrypto.so.3 (0x00007f0e1c000000)\n"
        owners = {"/lib/x86_64-linux-gnu/libcrypto.so.3": "libssl3"}
        rows, problems = classify({"libssl3", "libpq5"}, owners=owners, ldd=ldd)
        self.assertEqual((rows, problems), ([("libcrypto.so.3", "libssl3", "dependency of libpq5, libssl3")], []))

    def test_direct_library_must_be_listed(self):
        rows, problems = classify({"libpq5"})
        self.assertEqual(problems, ["the binary links libssl.so.3 directly, from package libssl3, which the "
                                    "Dockerfile's runtime apt-get install does not list (libpq5)"])
        self.assertNotIn("libssl.so.3", [name for name, _, _ in rows])

    def test_indirect_library_outside_the_image(self):
        owners = dict(OWNERS, **{"/lib/x86_64-linux-gnu/libkrb5.so.3": "heimdal"})
        _, problems = classify({"libssl3", "libpq5"}, owners=owners)
        self.assertEqual(problems, ["libkrb5.so.3 (loaded through another library) comes from heimdal, which neither "
                                    "debian:bookworm-slim nor the runtime packages' dependencies provide"])

    def test_file_without_package(self):
        owners = {k: v for k, v in OWNERS.items() if "libpq" not in k}
        _, problems = classify({"libssl3", "libpq5"}, owners=owners)
        self.assertEqual(problems, ["libpq.so.5 (/lib/x86_64-linux-gnu/libpq.so.5): no Debian package owns it; "
                                    "the runtime image cannot get it from apt"])


class RunTests(unittest.TestCase):
    def test_subcommands(self):
        text = "USAGE: statehouse <subcommand>\n\nOPTIONS:\n  --version  x\n\nSUBCOMMANDS:\n  serve (default)   Runs\n" \
               "  hash-password     Hashes\n    continued line\n  healthcheck       Checks\n\n  See 'help'.\n"
        self.assertEqual(binary.parse_subcommands(text), {"serve", "hash-password", "healthcheck"})
        self.assertEqual(binary.parse_subcommands("no section\n  serve  x\n"), set())

    def test_wait_for_line(self):
        script = "import sys; print('one'); print('listening on 8123', flush=True); print('never read')"
        process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
        try:
            found, lines = binary.wait_for_line(process, lambda line: "8123" in line, 30)
        finally:
            process.wait()
            process.stdout.close()
        self.assertTrue(found)
        self.assertEqual(lines[:2], ["one", "listening on 8123"])

    def test_wait_for_line_gives_up_at_end_of_output(self):
        process = subprocess.Popen([sys.executable, "-c", "print('a'); print('b', end='')"], stdout=subprocess.PIPE)
        try:
            found, lines = binary.wait_for_line(process, lambda line: "8123" in line, 30)
        finally:
            process.wait()
            process.stdout.close()
        self.assertFalse(found)
        self.assertEqual(lines, ["a", "b"])

    def test_gzip_size(self):
        data = os.urandom(3000) + b"statehouse " * 10000
        with tempfile.NamedTemporaryFile(delete=False) as file:
            file.write(data)
        try:
            self.assertEqual(binary.gzip_size(file.name), len(gzip.compress(data, compresslevel=6)))
        finally:
            os.remove(file.name)

    def test_free_port(self):
        port = binary.free_port()
        self.assertTrue(1024 <= port <= 65535)


if __name__ == "__main__":
    unittest.main()
