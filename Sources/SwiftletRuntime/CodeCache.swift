import Foundation
import SwiftletStore
import SwiftletSystem
import Synchronization

/// Unpacked function code, one read-only folder per code digest, shared by every environment that runs it.
public final class CodeCache: Sendable {
    private let root: String
    private let codeStore: any CodeStore
    private let limit: Int64
    /// Digests being unpacked, so that concurrent cold starts of one function unpack once.
    private let unpacking = Mutex<[String: DispatchGroup]>([:])

    public init(root: String, codeStore: any CodeStore, unpackedLimit: Int64) throws {
        self.root = root
        self.codeStore = codeStore
        self.limit = unpackedLimit
        try FileSystem.makeDirectories(root)
    }

    /// The folder holding the code with this digest, unpacking it first if needed.
    public func directory(for sha256Hex: String) throws -> String {
        let target = "\(root)/\(sha256Hex)"
        if FileSystem.exists(target) { return target }

        let (group, isOwner) = unpacking.withLock { unpacking -> (DispatchGroup, Bool) in
            if let running = unpacking[sha256Hex] { return (running, false) }
            let group = DispatchGroup()
            group.enter()
            unpacking[sha256Hex] = group
            return (group, true)
        }
        guard isOwner else {
            group.wait()
            guard FileSystem.exists(target) else { throw StoreError.backend("unpacking \(sha256Hex) failed") }
            return target
        }
        defer {
            unpacking.withLock { _ = $0.removeValue(forKey: sha256Hex) }
            group.leave()
        }
        if FileSystem.exists(target) { return target }
        let zip = try codeStore.load(sha256Hex: sha256Hex)
        let temporary = "\(root)/.unpack-\(sha256Hex)-\(Identifier.uuid())"
        try FileSystem.makeDirectories(temporary)
        do {
            try ZipArchive.extract(zip, to: temporary, unpackedLimit: limit)
            guard rename(temporary, target) == 0 else { throw SystemError("rename", path: target) }
        } catch {
            FileSystem.removeTree(temporary)
            throw error
        }
        return target
    }

    /// Removes unpacked code that no function uses any more.
    public func remove(sha256Hex: String) {
        FileSystem.removeTree("\(root)/\(sha256Hex)")
    }
}
