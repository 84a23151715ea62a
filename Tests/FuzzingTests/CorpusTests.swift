import Foundation
import Fuzzing
import Testing

/// The fuzz targets' properties on every input of the committed corpus, found crashes included:
/// what `scripts/fuzz` starts from must pass, and a crash added there stays fixed.
@Suite struct CorpusTests {
    static let corpus = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../fuzz/corpus")

    @Test(arguments: FuzzTarget.all.map(\.name))
    func everyCorpusInputKeepsTheProperties(target name: String) throws {
        let target = try #require(FuzzTarget.all.first { $0.name == name })
        let directory = Self.corpus.appending(path: name)
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        #expect(files.count >= 10, "the seed corpus of \(name)")
        for file in files {
            #expect(throws: Never.self, "\(file.lastPathComponent)") {
                try target.check(Array(try Data(contentsOf: file)))
            }
        }
    }
}
