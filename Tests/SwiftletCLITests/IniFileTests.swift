import Foundation
import Testing

@testable import SwiftletCLI

@Suite("IniFile")
struct IniFileTests {
    static let text = """
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key=secret/with=equals

        ; another comment
        [profile dev]
          region = eu-west-1
        endpoint_url = http://127.0.0.1:9000
        [ spaced ]
        key = value
        not a key value line
        """

    @Test func sectionKeysAreTrimmed() {
        #expect(
            IniFile.section("default", inText: Self.text)
                == ["aws_access_key_id": "AKIDDEFAULT", "aws_secret_access_key": "secret/with=equals"])
    }

    @Test func sectionNameMayHoldSpaces() {
        #expect(
            IniFile.section("profile dev", inText: Self.text)
                == ["region": "eu-west-1", "endpoint_url": "http://127.0.0.1:9000"])
    }

    @Test func sectionNameIsTrimmedAndLinesWithoutEqualsAreSkipped() {
        #expect(IniFile.section("spaced", inText: Self.text) == ["key": "value"])
    }

    @Test func missingSectionIsEmpty() {
        #expect(IniFile.section("profile prod", inText: Self.text).isEmpty)
    }

    @Test func windowsLineEndingsAreAccepted() {
        #expect(IniFile.section("default", inText: "[default]\r\nregion = us-west-2\r\n") == ["region": "us-west-2"])
    }

    @Test func missingFileIsEmpty() {
        #expect(IniFile.section("default", in: "/nonexistent-\(UUID().uuidString)/credentials").isEmpty)
    }

    @Test func fileIsReadFromDisk() throws {
        let path = NSTemporaryDirectory() + "swiftlet-cli-ini-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(IniFile.section("profile dev", in: path)["region"] == "eu-west-1")
    }
}
