import Testing

@testable import S3API

/// The documents S3 answers with and the one it reads.
struct S3XMLTests {
    @Test func textIsEscaped() {
        var writer = XMLWriter()
        writer.open("Error")
        writer.element("Message", "<a href=\"x\">&'</a>\u{01}")
        writer.close("Error")
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == #"<?xml version="1.0" encoding="UTF-8"?><Error><Message>&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;%01</Message></Error>"#
        )
    }

    @Test func completeMultipartUploadListsItsParts() {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Part><ChecksumSHA256>abc=</ChecksumSHA256><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><PartNumber>1</PartNumber></Part>
              <Part>
                <PartNumber>2</PartNumber>
                <ETag>"fedcba9876543210fedcba9876543210"</ETag>
              </Part>
            </CompleteMultipartUpload>
            """
        #expect(
            CompleteMultipartDocument.parts(Array(document.utf8)) == [
                .init(number: 1, etag: "0123456789abcdef0123456789abcdef"),
                .init(number: 2, etag: "fedcba9876543210fedcba9876543210"),
            ])
        #expect(CompleteMultipartDocument.parts(Array("<Other/>".utf8)) == nil)
        #expect(
            CompleteMultipartDocument.parts(
                Array(
                    "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>"
                        .utf8))
                == nil)
        #expect(
            CompleteMultipartDocument.parts(Array("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>".utf8))
                == nil)
    }
}
