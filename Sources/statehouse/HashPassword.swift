import ArgumentParser
import PasswordAuth

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `statehouse hash-password`: prints a PBKDF2-SHA256 hash for a `[[users]]` entry.
struct HashPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print a password hash for config.toml.",
        discussion: """
            Reads the password from standard input (prompting without echo on a terminal), so it \
            never appears in the shell history or the process list:

              statehouse hash-password
              printf '%s' "$PASSWORD" | statehouse hash-password
            """)

    @Option(help: "PBKDF2 iterations.")
    var iterations = PasswordHash.defaultIterations

    func validate() throws {
        guard (1000...10_000_000).contains(self.iterations) else {
            throw ValidationError("--iterations must be between 1000 and 10000000")
        }
    }

    func run() throws {
        let password = readPassword()
        guard !password.isEmpty else { throw ValidationError("the password is empty") }
        print(PasswordHash.make(password: password, iterations: self.iterations))
    }
}

/// One line from standard input; on a terminal, prompted and read without echo.
private func readPassword() -> String {
    let terminal = isatty(STDIN_FILENO) == 1
    var saved = termios()
    if terminal {
        writeToStandardError("Password: ")
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
    }
    let line = readLine(strippingNewline: true) ?? ""
    if terminal {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved)
        writeToStandardError("\n")
    }
    return line
}

func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
