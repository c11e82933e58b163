import Foundation
import SwiftletSystem
import Testing

@Suite("FileSystem")
struct FileSystemTests {
    @Test func writeAtomicallyLeavesOnlyTheFile() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/blob"
            try FileSystem.writeAtomically(Data("first".utf8), to: path)
            try FileSystem.writeAtomically(Data("second".utf8), to: path)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["blob"])
            #expect(try FileSystem.read(path) == Data("second".utf8))
        }
    }

    @Test func writeAtomicallyAppliesTheMode() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/secret"
            try FileSystem.writeAtomically(Data("key".utf8), to: path, mode: 0o600)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.posixPermissions] as? Int == 0o600)
        }
    }

    @Test func writeAtomicallyIntoAMissingFolderThrowsAndLeavesNothing() throws {
        try withTemporaryDirectory { (folder) throws in
            #expect(throws: SystemError.self) {
                try FileSystem.writeAtomically(Data("x".utf8), to: folder + "/missing/blob")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        }
    }

    @Test func makeDirectoriesCreatesParentsAndToleratesExistingOnes() throws {
        try withTemporaryDirectory { folder in
            let nested = folder + "/a/b/c"
            try FileSystem.makeDirectories(nested)
            try FileSystem.makeDirectories(nested)
            #expect(FileSystem.exists(nested))
        }
    }

    @Test func makeDirectoriesThroughAFileThrows() throws {
        try withTemporaryDirectory { folder in
            try writeFile("plain", in: folder)
            #expect(throws: SystemError.self) { try FileSystem.makeDirectories(folder + "/plain/child") }
        }
    }

    @Test func readingAMissingFileThrowsNamingThePath() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/absent"
            #expect {
                try FileSystem.read(path)
            } throws: { error in
                (error as? SystemError)?.path == path
            }
        }
    }

    @Test func removeTreeRemovesEverythingAndIgnoresMissingPaths() throws {
        try withTemporaryDirectory { folder in
            try writeFile("tree/a/b.txt", in: folder, contents: "b")
            FileSystem.removeTree(folder + "/tree")
            FileSystem.removeTree(folder + "/tree")
            #expect(!FileSystem.exists(folder + "/tree"))
        }
    }

    @Test func systemErrorDescriptionNamesCallPathAndReason() {
        let error = SystemError("open", path: "/x", code: ENOENT)
        #expect(error.description == "open(/x): No such file or directory")
        #expect(SystemError("fsync", code: EIO).description == "fsync: Input/output error")
    }

    @Test func readNumberFindsTheValueAfterItsLabel() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/status"
            let status = "Name:\tpython3\nVmPeak:\t  900 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n"
            try FileSystem.writeAtomically(Data(status.utf8), to: path)
            #expect(FileSystem.readNumber(path, after: "VmHWM:") == 1234)
            #expect(FileSystem.readNumber(path, after: "VmRSS:") == 1000)
            #expect(FileSystem.readNumber(path, after: "VmSwap:") == nil)
            #expect(FileSystem.readNumber(path, after: "Name:") == nil)
        }
    }

    @Test func readNumberReadsAWholeFileWithoutALabel() throws {
        try withTemporaryDirectory { folder in
            try FileSystem.writeAtomically(Data("52428800\n".utf8), to: folder + "/peak")
            #expect(FileSystem.readNumber(folder + "/peak") == 52_428_800)
            #expect(FileSystem.readNumber(folder + "/missing") == nil)
        }
    }
}
