import Foundation
import SystemSupport

#if LIBFUZZER
    import CLibFuzzer
#endif

/// A property that must hold for every input: checked by libFuzzer on the inputs it generates
/// (`scripts/fuzz`) and by the test suite on the committed corpus (`fuzz/corpus/<name>`).
public struct FuzzTarget: Sendable {
    /// The executable's name, which is also its corpus directory's.
    public let name: String
    private let property: @Sendable ([UInt8]) throws(PropertyViolation) -> Void

    init(name: String, property: @escaping @Sendable ([UInt8]) throws(PropertyViolation) -> Void) {
        self.name = name
        self.property = property
    }

    /// The three targets: the HTTP request parser, the state header scanner and LockInfo.
    public static let all: [FuzzTarget] = [.requestParser, .stateHeader, .lockInfo]

    /// Checks the property on `input`.
    public func check(_ input: [UInt8]) throws(PropertyViolation) {
        try self.property(input)
    }

    /// Checks one input for libFuzzer: a violation is printed and aborts, so that libFuzzer
    /// keeps the input as a crash.
    public func test(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        do {
            try self.check(Array(UnsafeBufferPointer(start: data, count: size)))
        } catch {
            FuzzTarget.printError("\(self.name): property violated: \(error)")
            abort()
        }
        return 0
    }

    /// The executable's whole life. Built with `-DLIBFUZZER` (and `-sanitize=fuzzer`), libFuzzer
    /// takes the command line and calls `callback` (which must call ``test(_:_:)``) with each
    /// input. Otherwise each file named on the command line, and each file in each directory
    /// named, is checked; the first violation is printed with its file and exits 1.
    public func main(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
        #if LIBFUZZER
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
        #else
            var checked = 0
            for argument in CommandLine.arguments.dropFirst() {
                for path in FuzzTarget.files(at: argument) {
                    do {
                        try self.check(try FileIO.readAll(path))
                    } catch {
                        FuzzTarget.printError("\(self.name): \(path): \(error)")
                        exit(1)
                    }
                    checked += 1
                }
            }
            print("\(self.name): \(checked) inputs, no property violated")
            exit(0)
        #endif
    }

    private static func printError(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = try? FileIO.writeAll(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
    }

    /// `path` if it is a file, else the files directly in it, sorted.
    private static func files(at path: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
        return names.sorted().map { "\(path)/\($0)" }
    }
}
