import Foundation
import SwiftletSystem

/// Where function code lives: one blob per SHA-256, whatever number of functions use it.
public protocol CodeStore: Sendable {
    /// Stores `zip` under its digest; does nothing if it is already there. Durable when it returns.
    func store(_ zip: Data, sha256Hex: String) throws
    /// The zip with this digest.
    func load(sha256Hex: String) throws -> Data
    /// True when a blob with this digest is stored.
    func contains(sha256Hex: String) -> Bool
    /// Removes the blob; a missing one is not an error.
    func remove(sha256Hex: String)
}

/// Code blobs as files below a folder of the data directory: `code/ab/abcdef....zip`.
public final class FileCodeStore: CodeStore {
    private let root: String

    /// Uses (creating if needed) the folder `root`.
    public init(root: String) throws {
        self.root = root
        try FileSystem.makeDirectories(root)
    }

    /// The path of the blob for a digest. Digests are checked to be hexadecimal, so no path can be smuggled in.
    public func path(sha256Hex: String) -> String? {
        guard sha256Hex.utf8.count == 64,
            sha256Hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return "\(root)/\(sha256Hex.prefix(2))/\(sha256Hex).zip"
    }

    public func store(_ zip: Data, sha256Hex: String) throws {
        guard let path = path(sha256Hex: sha256Hex) else { throw StoreError.backend("bad digest \(sha256Hex)") }
        if FileSystem.exists(path) { return }
        try FileSystem.makeDirectories("\(root)/\(sha256Hex.prefix(2))")
        try FileSystem.writeAtomically(zip, to: path)
    }

    public func load(sha256Hex: String) throws -> Data {
        guard let path = path(sha256Hex: sha256Hex) else { throw StoreError.notFound }
        guard FileSystem.exists(path) else { throw StoreError.notFound }
        return try FileSystem.read(path)
    }

    public func contains(sha256Hex: String) -> Bool {
        guard let path = path(sha256Hex: sha256Hex) else { return false }
        return FileSystem.exists(path)
    }

    public func remove(sha256Hex: String) {
        guard let path = path(sha256Hex: sha256Hex) else { return }
        unlink(path)
    }

    /// Removes what a crash can leave behind: temporary files of interrupted writes, and blobs for which
    /// `isReferenced` says no. Meant for start-up, before any request is served. Returns how many files went.
    @discardableResult
    public func sweep(isReferenced: (String) -> Bool) -> Int {
        var removed = 0
        guard let folders = try? FileManager.default.contentsOfDirectory(atPath: root) else { return 0 }
        for folder in folders {
            let folderPath = "\(root)/\(folder)"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folderPath) else { continue }
            for name in names {
                let isBlob = name.hasSuffix(".zip") && path(sha256Hex: String(name.dropLast(4))) != nil
                if isBlob && isReferenced(String(name.dropLast(4))) { continue }
                if unlink("\(folderPath)/\(name)") == 0 { removed += 1 }
            }
        }
        return removed
    }
}
