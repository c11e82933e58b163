import Foundation
import SwiftletSystem
import Testing

@Suite("ZipArchive reading")
struct ZipArchiveTests {
    static let megabyte: Int64 = 1_048_576

    @Test func inspectCountsEntriesAndExpandedBytes() throws {
        let zip = try craftedZip(
            """
            z.writestr('a.txt', 'hello')
            z.writestr('dir/', '')
            z.writestr('dir/b.txt', 'x' * 1000, compress_type=zipfile.ZIP_DEFLATED)
            """)
        let summary = try ZipArchive.inspect(zip, unpackedLimit: Self.megabyte)
        #expect(summary.entryCount == 3)
        #expect(summary.unpackedBytes == 1005)
    }

    @Test func inspectCountsBytesFromTheDataNotFromHeadersThatUnderstate() throws {
        // Both headers claim 10 bytes; the deflated data expands to 4 MB.
        let zip = try craftedZip(
            "z.writestr('liar', b'\\0' * (4 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)",
            patch: """
                struct.pack_into('<I', data, 22, 10)
                central = data.find(b'PK\\x01\\x02')
                struct.pack_into('<I', data, central + 24, 10)
                """)
        #expect(throws: ArchiveError.tooLarge(limit: Self.megabyte)) {
            try ZipArchive.inspect(zip, unpackedLimit: Self.megabyte)
        }
    }

    @Test func inspectStopsAtTheUnpackedLimit() throws {
        let zip = try craftedZip(
            "z.writestr('zeros', b'\\0' * (10 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)")
        #expect(zip.count < 100_000)
        #expect(throws: ArchiveError.tooLarge(limit: Self.megabyte)) {
            try ZipArchive.inspect(zip, unpackedLimit: Self.megabyte)
        }
        let summary = try ZipArchive.inspect(zip, unpackedLimit: 10 * Self.megabyte)
        #expect(summary.unpackedBytes == 10 * Self.megabyte)
    }

    @Test func limitIsInclusive() throws {
        let zip = try craftedZip("z.writestr('a', 'x' * 100)")
        #expect(try ZipArchive.inspect(zip, unpackedLimit: 100).unpackedBytes == 100)
        #expect(throws: ArchiveError.tooLarge(limit: 99)) { try ZipArchive.inspect(zip, unpackedLimit: 99) }
    }

    @Test func extractWritesNothingPastTheLimit() throws {
        let zip = try craftedZip(
            "z.writestr('zeros', b'\\0' * (10 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)")
        try withTemporaryDirectory { folder in
            #expect(throws: ArchiveError.tooLarge(limit: Self.megabyte)) {
                try ZipArchive.extract(zip, to: folder, unpackedLimit: Self.megabyte)
            }
            #expect(bytesOnDisk(below: folder) <= Self.megabyte)
        }
    }

    @Test func extractStopsWhenSeveralFilesTogetherPassTheLimit() throws {
        let zip = try craftedZip(
            """
            for name in ['one', 'two', 'three', 'four']:
                z.writestr(name, b'\\1' * (400 * 1024), compress_type=zipfile.ZIP_DEFLATED)
            """)
        try withTemporaryDirectory { folder in
            #expect(throws: ArchiveError.tooLarge(limit: Self.megabyte)) {
                try ZipArchive.extract(zip, to: folder, unpackedLimit: Self.megabyte)
            }
            #expect(bytesOnDisk(below: folder) <= Self.megabyte)
        }
    }

    @Test(arguments: ["../x", "/abs", "a/../../x", "a/../b"])
    func entryEscapingTheFolderIsRefused(name: String) throws {
        let zip = try craftedZip("z.writestr('\(name)', 'data')")
        #expect(throws: ArchiveError.unsafePath(name)) {
            try ZipArchive.inspect(zip, unpackedLimit: Self.megabyte)
        }
    }

    @Test func entryClimbingWithBackslashesIsRefused() throws {
        let zip = try craftedZip("z.writestr('..\\\\evil', 'data')")
        #expect {
            try ZipArchive.inspect(zip, unpackedLimit: Self.megabyte)
        } throws: { error in
            guard case .unsafePath = error as? ArchiveError else { return false }
            return true
        }
    }

    @Test func entryClimbingOutOfFolderIsRefusedBeforeAnythingIsWritten() throws {
        let zip = try craftedZip("z.writestr('../escaped', 'data')")
        try withTemporaryDirectory { parent in
            let folder = parent + "/target"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            #expect(throws: ArchiveError.unsafePath("../escaped")) {
                try ZipArchive.extract(zip, to: folder, unpackedLimit: Self.megabyte)
            }
            #expect(!FileManager.default.fileExists(atPath: parent + "/escaped"))
        }
    }

    @Test func symlinkPointingOutsideIsRefused() throws {
        let zip = try craftedZip(
            """
            link = zipfile.ZipInfo('link')
            link.create_system = 3
            link.external_attr = 0o120777 << 16
            z.writestr(link, '../../etc')
            """)
        try withTemporaryDirectory { folder in
            #expect(throws: ArchiveError.unsafePath("link")) {
                try ZipArchive.extract(zip, to: folder, unpackedLimit: Self.megabyte)
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/link"))
        }
    }

    @Test func symlinkWithAbsoluteTargetIsRefused() throws {
        let zip = try craftedZip(
            """
            link = zipfile.ZipInfo('passwd')
            link.create_system = 3
            link.external_attr = 0o120777 << 16
            z.writestr(link, '/etc/passwd')
            """)
        #expect(throws: ArchiveError.unsafePath("passwd")) {
            try ZipArchive.inspect(zip, unpackedLimit: Self.megabyte)
        }
    }

    @Test func symlinkStayingInsideIsMadeAfterTheFiles() throws {
        let zip = try craftedZip(
            """
            link = zipfile.ZipInfo('lib/current')
            link.create_system = 3
            link.external_attr = 0o120777 << 16
            z.writestr(link, '../data/v1.txt')
            z.writestr('data/v1.txt', 'version one')
            """)
        try withTemporaryDirectory { folder in
            let summary = try ZipArchive.extract(zip, to: folder, unpackedLimit: Self.megabyte)
            #expect(summary.entryCount == 2)
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/lib/current")
            #expect(target == "../data/v1.txt")
            #expect(try String(contentsOfFile: folder + "/lib/current", encoding: .utf8) == "version one")
        }
    }

    @Test(arguments: [Data("this is not a zip archive at all".utf8), Data(repeating: 0xff, count: 4096)])
    func garbageBytesAreUnreadable(bytes: Data) {
        #expect {
            try ZipArchive.inspect(bytes, unpackedLimit: Self.megabyte)
        } throws: { error in
            guard case .unreadable = error as? ArchiveError else { return false }
            return true
        }
    }

    @Test func truncatedArchiveIsUnreadable() throws {
        let zip = try craftedZip("z.writestr('random', bytes(range(256)) * 40)")
        let truncated = zip.prefix(zip.count / 2)
        #expect {
            try ZipArchive.inspect(Data(truncated), unpackedLimit: Self.megabyte)
        } throws: { error in
            guard case .unreadable = error as? ArchiveError else { return false }
            return true
        }
    }

    @Test func extractWritesFilesFoldersAndExecutableBits() throws {
        let zip = try craftedZip(
            """
            tool = zipfile.ZipInfo('bin/tool')
            tool.create_system = 3
            tool.external_attr = 0o100755 << 16
            z.writestr(tool, '#!/bin/sh\\necho hi\\n')
            plain = zipfile.ZipInfo('bin/readme')
            plain.create_system = 3
            plain.external_attr = 0o100600 << 16
            z.writestr(plain, 'text')
            z.writestr('empty/', '')
            """)
        try withTemporaryDirectory { folder in
            try ZipArchive.extract(zip, to: folder, unpackedLimit: Self.megabyte)
            let tool = try FileManager.default.attributesOfItem(atPath: folder + "/bin/tool")
            let readme = try FileManager.default.attributesOfItem(atPath: folder + "/bin/readme")
            #expect((tool[.posixPermissions] as? Int).map { $0 & 0o111 } == 0o111)
            #expect((readme[.posixPermissions] as? Int).map { $0 & 0o111 } == 0)
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: folder + "/empty", isDirectory: &isDirectory))
            #expect(isDirectory.boolValue)
        }
    }
}
