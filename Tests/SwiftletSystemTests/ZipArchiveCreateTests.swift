import Foundation
import SwiftletSystem
import Testing

@Suite("ZipArchive writing")
struct ZipArchiveCreateTests {
    /// A small function folder: a handler, a nested module, an executable and a link.
    private func makeSample(in root: String) throws {
        try writeFile("app.py", in: root, contents: "def handler(event, context):\n    return event\n")
        try writeFile("lib/util.py", in: root, contents: "VALUE = 42\n")
        try writeFile("bootstrap", in: root, contents: "#!/bin/sh\nexec python3 app.py\n", mode: 0o755)
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "lib/util.py")
    }

    @Test func sameFolderTwiceGivesIdenticalBytes() throws {
        try withTemporaryDirectory { root in
            try makeSample(in: root)
            let first = try ZipArchive.create(fromDirectory: root)
            let second = try ZipArchive.create(fromDirectory: root)
            #expect(first == second)
        }
    }

    @Test func bytesDoNotDependOnModificationTimes() throws {
        try withTemporaryDirectory { root in
            try makeSample(in: root)
            let before = try ZipArchive.create(fromDirectory: root)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: 1_000_000_000)], ofItemAtPath: root + "/app.py")
            #expect(try ZipArchive.create(fromDirectory: root) == before)
        }
    }

    @Test func createdArchiveRoundTripsThroughExtractWithModes() throws {
        try withTemporaryDirectory { root in
            let source = root + "/source"
            let target = root + "/target"
            try makeSample(in: source)
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)

            let zip = try ZipArchive.create(fromDirectory: source)
            let summary = try ZipArchive.extract(zip, to: target, unpackedLimit: 1_048_576)

            // app.py, bootstrap, current, empty/, lib/, lib/util.py
            #expect(summary.entryCount == 6)
            for file in ["app.py", "lib/util.py", "bootstrap"] {
                #expect(
                    FileManager.default.contents(atPath: "\(target)/\(file)")
                        == FileManager.default.contents(atPath: "\(source)/\(file)"))
            }
            let bootstrap = try FileManager.default.attributesOfItem(atPath: target + "/bootstrap")
            let app = try FileManager.default.attributesOfItem(atPath: target + "/app.py")
            #expect((bootstrap[.posixPermissions] as? Int).map { $0 & 0o111 } == 0o111)
            #expect((app[.posixPermissions] as? Int).map { $0 & 0o111 } == 0)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/current") == "lib/util.py")
            #expect(FileManager.default.fileExists(atPath: target + "/empty"))
        }
    }

    @Test func unpackedBytesOfACreatedArchiveEqualTheFileSizes() throws {
        try withTemporaryDirectory { root in
            try writeFile("a", in: root, contents: String(repeating: "a", count: 300))
            try writeFile("b/c", in: root, contents: String(repeating: "c", count: 700))
            let zip = try ZipArchive.create(fromDirectory: root)
            #expect(try ZipArchive.inspect(zip, unpackedLimit: 10_000).unpackedBytes == 1000)
        }
    }

    @Test func emptyFolderGivesAReadableEmptyArchive() throws {
        try withTemporaryDirectory { root in
            let zip = try ZipArchive.create(fromDirectory: root)
            let summary = try ZipArchive.inspect(zip, unpackedLimit: 0)
            #expect(summary.entryCount == 0)
            #expect(summary.unpackedBytes == 0)
        }
    }

    @Test func missingFolderIsAWriteFailure() {
        #expect {
            try ZipArchive.create(fromDirectory: "/nonexistent-\(UUID().uuidString)")
        } throws: { error in
            guard case .writeFailed = error as? ArchiveError else { return false }
            return true
        }
    }
}
