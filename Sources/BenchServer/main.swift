// A benchmark fixture, not part of the product: serves every file of a directory from memory
// through the same HTTPServer and responder seam as `statehouse serve`, so `bench/run` can
// compare the hand-written server with nginx on identical bytes.
//
//   BenchServer PORT DIRECTORY
import Foundation
import HTTPServer
import Logging

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: BenchServer PORT DIRECTORY\n".utf8))
    exit(2)
}
var bodies: [String: [UInt8]] = [:]
for name in try FileManager.default.contentsOfDirectory(atPath: arguments[2]) {
    bodies["/" + name] = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[2] + "/" + name)))
}
let files = bodies

var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGTERM)
sigaddset(&signals, SIGINT)
pthread_sigmask(SIG_BLOCK, &signals, nil)

var configuration = HTTPServerConfiguration()
configuration.host = "127.0.0.1"
configuration.port = port
let server = try HTTPServer(
    configuration: configuration,
    responder: ClosureResponder { request in
        guard let body = files[request.path] else { return Response(status: .notFound) }
        return Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: body)
    },
    logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
try server.start()
print("listening on \(server.addresses.map(\.description).joined(separator: ","))")
var received: Int32 = 0
sigwait(&signals, &received)
server.shutdown(drainTimeout: .seconds(5))
