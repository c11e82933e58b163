import Foundation
import SwiftletStore
import Testing

@Suite("FileCodeStore")
struct FileCodeStoreTests {
    private func withCodeStore(_ body: (FileCodeStore, String) throws -> Void) throws {
        try withTemporaryDirectory { folder in
            let root = folder + "/code"
            try body(try FileCodeStore(root: root), root)
        }
    }

    @Test func storedBlobLoadsBackAndIsContained() throws {
        try withCodeStore { store, _ in
            let zip = Data("PK fake zip".utf8)
            try store.store(zip, sha256Hex: digest("a"))
            #expect(store.contains(sha256Hex: digest("a")))
            #expect(try store.load(sha256Hex: digest("a")) == zip)
        }
    }

    @Test func blobLivesUnderAFolderNamedByTheFirstTwoDigits() throws {
        try withCodeStore { store, root in
            let hex = "ab" + String(repeating: "0", count: 62)
            try store.store(Data([1, 2, 3]), sha256Hex: hex)
            #expect(store.path(sha256Hex: hex) == "\(root)/ab/\(hex).zip")
            #expect(FileManager.default.fileExists(atPath: "\(root)/ab/\(hex).zip"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/ab") == ["\(hex).zip"])
        }
    }

    @Test func storingAnExistingDigestKeepsTheFirstBlob() throws {
        try withCodeStore { store, _ in
            try store.store(Data("first".utf8), sha256Hex: digest("c"))
            try store.store(Data("second".utf8), sha256Hex: digest("c"))
            #expect(try store.load(sha256Hex: digest("c")) == Data("first".utf8))
        }
    }

    @Test func removedBlobIsGoneAndRemovingAgainIsHarmless() throws {
        try withCodeStore { store, _ in
            try store.store(Data("x".utf8), sha256Hex: digest("d"))
            store.remove(sha256Hex: digest("d"))
            store.remove(sha256Hex: digest("d"))
            #expect(!store.contains(sha256Hex: digest("d")))
            #expect(throws: StoreError.notFound) { try store.load(sha256Hex: digest("d")) }
        }
    }

    @Test func loadingAnUnknownDigestThrowsNotFound() throws {
        try withCodeStore { store, _ in
            #expect(throws: StoreError.notFound) { try store.load(sha256Hex: digest("e")) }
        }
    }

    @Test(arguments: [
        "", "abc", String(repeating: "g", count: 64), String(repeating: "a", count: 63),
        String(repeating: "a", count: 65), "../" + String(repeating: "a", count: 61),
        String(repeating: "a", count: 62) + "/x",
    ])
    func nonHexDigestHasNoPath(hex: String) throws {
        try withCodeStore { store, _ in
            #expect(store.path(sha256Hex: hex) == nil)
            #expect(!store.contains(sha256Hex: hex))
            #expect(throws: StoreError.self) { try store.store(Data("x".utf8), sha256Hex: hex) }
            #expect(throws: StoreError.notFound) { try store.load(sha256Hex: hex) }
        }
    }
}
