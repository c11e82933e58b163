import CArchive
import Foundation

/// What went wrong reading or unpacking an archive.
public enum ArchiveError: Error, Equatable, Sendable {
    /// The bytes are not a readable zip archive; carries libarchive's explanation.
    case unreadable(String)
    /// An entry's path or link target would land outside the folder it is unpacked into.
    case unsafePath(String)
    /// The entries expand past the given limit, in bytes.
    case tooLarge(limit: Int64)
    /// Writing an entry failed; carries the path and `errno`'s text.
    case writeFailed(path: String, reason: String)
}

/// What a walk over an archive found.
public struct ArchiveSummary: Sendable, Equatable {
    /// Number of entries of every kind.
    public var entryCount: Int = 0
    /// Sum of the bytes the entries expand to, counted from the data itself, not from the headers.
    public var unpackedBytes: Int64 = 0
}

/// Reads zip archives held in memory through libarchive, refusing entries that would escape their folder
/// and stopping as soon as the expanded size passes a limit, before anything past it is written.
public enum ZipArchive {
    /// Walks every entry, expanding its data to count it, and checks every path.
    /// - Throws: ``ArchiveError`` for an unreadable archive, an unsafe path, or one larger than `limit`.
    public static func inspect(_ data: Data, unpackedLimit limit: Int64) throws(ArchiveError) -> ArchiveSummary {
        try walk(data, unpackedLimit: limit, into: nil)
    }

    /// Unpacks every entry below `directory`, which must exist and be empty.
    /// - Throws: ``ArchiveError``; on error, the directory may hold a part of the archive and should be removed.
    @discardableResult
    public static func extract(
        _ data: Data, to directory: String, unpackedLimit limit: Int64
    ) throws(ArchiveError)
        -> ArchiveSummary
    {
        try walk(data, unpackedLimit: limit, into: directory)
    }

    private struct PendingLink {
        var path: String
        var target: String
    }

    private static let chunkSize = 256 * 1024

    private static func walk(
        _ data: Data, unpackedLimit limit: Int64, into directory: String?
    ) throws(ArchiveError)
        -> ArchiveSummary
    {
        guard let reader = archive_read_new() else { throw .unreadable("out of memory") }
        defer { archive_read_free(reader) }
        archive_read_support_format_zip(reader)

        var summary = ArchiveSummary()
        var links: [PendingLink] = []
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        let result: Result<Void, ArchiveError> = data.withUnsafeBytes { raw in
            // libarchive reads from `raw` only until archive_read_free, which runs before this closure returns.
            guard archive_read_open_memory(reader, raw.baseAddress, raw.count) == ARCHIVE_OK else {
                return .failure(.unreadable(lastError(reader)))
            }
            while true {
                var entry: OpaquePointer?
                let status = archive_read_next_header(reader, &entry)
                if status == ARCHIVE_EOF { return .success(()) }
                guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                    return .failure(.unreadable(lastError(reader)))
                }
                summary.entryCount += 1
                do {
                    try handle(
                        entry: entry, reader: reader, directory: directory, limit: limit, summary: &summary,
                        links: &links, buffer: &buffer)
                } catch let error as ArchiveError {
                    return .failure(error)
                } catch {
                    return .failure(.unreadable("\(error)"))
                }
            }
        }
        try result.get()

        // Each link was checked alone as it was read; a chain of links can still climb out (`a -> .`, `b -> a/..`),
        // so every link is resolved again through the others, as the kernel would resolve it once unpacked.
        let linkTargets = Dictionary(links.map { ($0.path, $0.target) }, uniquingKeysWith: { _, last in last })
        for link in links where !ArchivePath.resolvesInside(link.path, links: linkTargets) {
            throw .unsafePath(link.path)
        }
        if let directory {
            // Links are made last, so no file of the archive is ever written through one.
            for link in links {
                let full = directory + "/" + link.path
                if symlink(link.target, full) != 0 {
                    throw .writeFailed(path: link.path, reason: String(cString: strerror(errno)))
                }
            }
        }
        return summary
    }

    private static func handle(
        entry: OpaquePointer, reader: OpaquePointer, directory: String?, limit: Int64,
        summary: inout ArchiveSummary, links: inout [PendingLink], buffer: inout [UInt8]
    ) throws(ArchiveError) {
        let rawPath =
            archive_entry_pathname_utf8(entry).map { String(cString: $0) }
            ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        guard let path = ArchivePath.normalizedEntryPath(rawPath) else { throw .unsafePath(rawPath) }
        let fileType = archive_entry_filetype(entry) & 0o170000

        // The zip format has no hard links; an entry claiming one is crafted and refused.
        if archive_entry_hardlink(entry) != nil { throw .unsafePath(rawPath) }

        switch fileType {
        case 0o120000:  // symbolic link
            let target = archive_entry_symlink(entry).map { String(cString: $0) } ?? ""
            guard ArchivePath.linkStaysInside(linkPath: path, target: target) else { throw .unsafePath(rawPath) }
            if let directory { try makeParents(of: path, in: directory) }
            links.append(PendingLink(path: path, target: target))
        case 0o040000:  // directory
            if let directory, !path.isEmpty {
                try makeDirectory(path, in: directory)
            }
        default:
            guard !path.isEmpty else { throw .unsafePath(rawPath) }
            var descriptor: Int32 = -1
            if let directory {
                try makeParents(of: path, in: directory)
                let permissions = archive_entry_perm(entry)
                let mode: mode_t = permissions & 0o111 != 0 ? 0o755 : 0o644
                descriptor = open(directory + "/" + path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
                guard descriptor >= 0 else {
                    throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
                }
            }
            defer { if descriptor >= 0 { close(descriptor) } }
            try copyData(reader: reader, to: descriptor, path: path, limit: limit, summary: &summary, buffer: &buffer)
        }
    }

    private static func copyData(
        reader: OpaquePointer, to descriptor: Int32, path: String, limit: Int64,
        summary: inout ArchiveSummary, buffer: inout [UInt8]
    ) throws(ArchiveError) {
        while true {
            let count = buffer.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, $0.count) }
            if count == 0 { return }
            guard count > 0 else { throw .unreadable(lastError(reader)) }
            summary.unpackedBytes += Int64(count)
            // Checked before the write, so nothing past the limit ever reaches the disk.
            guard summary.unpackedBytes <= limit else { throw .tooLarge(limit: limit) }
            guard descriptor >= 0 else { continue }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes {
                    Foundation.write(descriptor, $0.baseAddress! + offset, count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
    }

    private static func makeParents(of path: String, in directory: String) throws(ArchiveError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        try makeDirectory(String(path[..<slash]), in: directory)
    }

    private static func makeDirectory(_ path: String, in directory: String) throws(ArchiveError) {
        var current = directory
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }

    private static func lastError(_ reader: OpaquePointer) -> String {
        archive_error_string(reader).map { String(cString: $0) } ?? "unknown archive error"
    }
}

/// Lexical checks on archive paths: pure functions, so the rules are easy to test.
public enum ArchivePath {
    /// The entry path with `./` and trailing slashes removed, or nil when it is absolute, climbs with `..`,
    /// or holds a control character.
    public static func normalizedEntryPath(_ raw: String) -> String? {
        guard !raw.hasPrefix("/"), !raw.contains("\\"), !raw.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { return nil }
        var parts: [Substring] = []
        for component in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." { return nil }
            parts.append(component)
        }
        return parts.joined(separator: "/")
    }

    /// True when `path` resolves inside the archive's folder, following the archive's own `links` (path to target)
    /// the way the kernel would once they are unpacked; a loop or more than 40 hops counts as outside.
    public static func resolvesInside(_ path: String, links: [String: String]) -> Bool {
        var hops = 0
        var resolved: [String] = []
        var pending = path.split(separator: "/").map(String.init)
        while !pending.isEmpty {
            let component = pending.removeFirst()
            switch component {
            case ".": continue
            case "..":
                if resolved.isEmpty { return false }
                resolved.removeLast()
            default:
                resolved.append(component)
                let here = resolved.joined(separator: "/")
                guard let target = links[here] else { continue }
                hops += 1
                if hops > 40 || target.hasPrefix("/") { return false }
                resolved.removeLast()
                pending = target.split(separator: "/").map(String.init) + pending
            }
        }
        return true
    }

    /// True when a link at `linkPath` pointing at `target` resolves, lexically, inside the archive's folder.
    public static func linkStaysInside(linkPath: String, target: String) -> Bool {
        guard !target.isEmpty, !target.hasPrefix("/") else { return false }
        var stack = linkPath.split(separator: "/").dropLast().map(String.init)
        for component in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                if stack.isEmpty { return false }
                stack.removeLast()
            default: stack.append(String(component))
            }
        }
        return true
    }
}
