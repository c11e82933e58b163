import Foundation
import SwiftletStore
import SwiftletSystem
import Synchronization
import Testing

@testable import SwiftletRuntime

/// A code store that counts loads and can be slowed down, over a real ``FileCodeStore``.
final class CountingCodeStore: CodeStore {
    private let backing: FileCodeStore
    private let delayMicroseconds: UInt32
    private let loadCount = Atomic<Int>(0)

    init(root: String, delayMicroseconds: UInt32 = 0) throws {
        backing = try FileCodeStore(root: root)
        self.delayMicroseconds = delayMicroseconds
    }

    var loads: Int { loadCount.load(ordering: .relaxed) }

    func store(_ zip: Data, sha256Hex: String) throws { try backing.store(zip, sha256Hex: sha256Hex) }

    func load(sha256Hex: String) throws -> Data {
        loadCount.add(1, ordering: .relaxed)
        usleep(delayMicroseconds)
        return try backing.load(sha256Hex: sha256Hex)
    }

    func contains(sha256Hex: String) -> Bool { backing.contains(sha256Hex: sha256Hex) }

    func remove(sha256Hex: String) { backing.remove(sha256Hex: sha256Hex) }
}

@Suite("CodeCache")
struct CodeCacheTests {
    @Test func unpacksTheZipIntoAFolderNamedByItsDigest() throws {
        try withTemporaryDirectory { root in
            let store = try FileCodeStore(root: "\(root)/blobs")
            let code = try zip([("app.py", "print('hi')\n"), ("lib/util.py", "X = 1\n")])
            let digest = descriptor(of: code).sha256Hex
            try store.store(code, sha256Hex: digest)
            let cache = try CodeCache(root: "\(root)/cache", codeStore: store, unpackedLimit: 1 << 20)

            let folder = try cache.directory(for: digest)

            #expect(folder == "\(root)/cache/\(digest)")
            #expect(contents(of: "\(folder)/app.py") == "print('hi')\n")
            #expect(contents(of: "\(folder)/lib/util.py") == "X = 1\n")
        }
    }

    @Test func unpacksEachDigestOnlyOnce() throws {
        try withTemporaryDirectory { root in
            let store = try CountingCodeStore(root: "\(root)/blobs")
            let code = try zip([("app.py", "")])
            let digest = descriptor(of: code).sha256Hex
            try store.store(code, sha256Hex: digest)
            let cache = try CodeCache(root: "\(root)/cache", codeStore: store, unpackedLimit: 1 << 20)

            let first = try cache.directory(for: digest)
            let second = try cache.directory(for: digest)

            #expect(first == second)
            #expect(store.loads == 1)
        }
    }

    @Test func concurrentRequestsForOneDigestUnpackOnceAndShareTheFolder() throws {
        try withTemporaryDirectory { root in
            let store = try CountingCodeStore(root: "\(root)/blobs", delayMicroseconds: 50_000)
            let code = try zip([("bootstrap", "#!/bin/sh\n"), ("data.txt", String(repeating: "d", count: 10_000))])
            let digest = descriptor(of: code).sha256Hex
            try store.store(code, sha256Hex: digest)
            let cache = try CodeCache(root: "\(root)/cache", codeStore: store, unpackedLimit: 1 << 20)
            let folders = Mutex<[String]>([])

            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                let folder = (try? cache.directory(for: digest)) ?? "failed"
                folders.withLock { $0.append(folder) }
            }

            #expect(folders.withLock { $0 } == Array(repeating: "\(root)/cache/\(digest)", count: 8))
            #expect(store.loads == 1)
            let entries = try FileManager.default.contentsOfDirectory(atPath: "\(root)/cache")
            #expect(entries == [digest])
        }
    }

    @Test func zipOverTheUnpackedLimitThrowsAndLeavesNoFolder() throws {
        try withTemporaryDirectory { root in
            let store = try FileCodeStore(root: "\(root)/blobs")
            let code = try zip([("big.txt", String(repeating: "x", count: 4096))])
            let digest = descriptor(of: code).sha256Hex
            try store.store(code, sha256Hex: digest)
            let cache = try CodeCache(root: "\(root)/cache", codeStore: store, unpackedLimit: 1024)

            #expect(throws: ArchiveError.tooLarge(limit: 1024)) { try cache.directory(for: digest) }

            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/cache").isEmpty)
        }
    }

    @Test func unknownDigestThrows() throws {
        try withTemporaryDirectory { root in
            let cache = try CodeCache(
                root: "\(root)/cache", codeStore: try FileCodeStore(root: "\(root)/blobs"), unpackedLimit: 1 << 20)

            #expect(throws: (any Error).self) { try cache.directory(for: String(repeating: "a", count: 64)) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/cache").isEmpty)
        }
    }

    @Test func removeDeletesTheUnpackedFolder() throws {
        try withTemporaryDirectory { root in
            let store = try FileCodeStore(root: "\(root)/blobs")
            let code = try zip([("app.py", "")])
            let digest = descriptor(of: code).sha256Hex
            try store.store(code, sha256Hex: digest)
            let cache = try CodeCache(root: "\(root)/cache", codeStore: store, unpackedLimit: 1 << 20)
            let folder = try cache.directory(for: digest)

            cache.remove(sha256Hex: digest)

            #expect(!FileSystem.exists(folder))
        }
    }
}
