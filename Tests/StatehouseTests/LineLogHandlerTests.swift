import Foundation
import Testing

@testable import statehouse

@Suite struct LineLogHandlerTests {
    @Test func rendersTextWithRequestIdFirst() {
        let line = LineLogHandler.render(
            format: .text, time: "2026-11-22T10:00:00.000Z", level: .info, message: "request",
            metadata: ["status": "200", "request.id": "abc", "path": "/state/a b"])
        #expect(line == "2026-11-22T10:00:00.000Z info request request.id=abc path=\"/state/a b\" status=200\n")
    }

    @Test func rendersOneJSONObjectPerLine() throws {
        let line = LineLogHandler.render(
            format: .json, time: "2026-11-22T10:00:00.000Z", level: .warning, message: "say \"hi\"\n",
            metadata: ["request.id": "abc", "bytes": "12"])
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        #expect(
            object == [
                "time": "2026-11-22T10:00:00.000Z", "level": "warning", "message": "say \"hi\"\n", "request.id": "abc",
                "bytes": "12",
            ])
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        let stamp = LineLogHandler.timestamp()
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        #expect(stamp.dropFirst(10).first == "T")
    }
}
