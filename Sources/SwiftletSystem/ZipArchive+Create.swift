import CArchive
import Foundation

extension ZipArchive {
    /// Zips every file, folder and link below `directory`, in name order and with fixed timestamps, so that the
    /// same folder always gives the same bytes (and so the same `CodeSha256`).
    /// - Throws: ``ArchiveError/writeFailed(path:reason:)`` when a file cannot be read or the zip not written.
    public static func create(fromDirectory directory: String) throws(ArchiveError) -> Data {
        let temporary = NSTemporaryDirectory() + "swiftlet-\(getpid())-\(Digest.randomBytes(6).hexString).zip"
        defer { unlink(temporary) }
        guard let writer = archive_write_new() else { throw .writeFailed(path: temporary, reason: "out of memory") }
        defer { archive_write_free(writer) }
        archive_write_set_format_zip(writer)
        guard archive_write_open_filename(writer, temporary) == ARCHIVE_OK else {
            throw .writeFailed(path: temporary, reason: writerError(writer))
        }
        for relative in try listTree(directory) {
            try add(relative, from: directory, to: writer)
        }
        guard archive_write_close(writer) == ARCHIVE_OK else {
            throw .writeFailed(path: temporary, reason: writerError(writer))
        }
        guard let data = FileManager.default.contents(atPath: temporary) else {
            throw .writeFailed(path: temporary, reason: "cannot read the written zip")
        }
        return data
    }

    /// Relative paths of everything below `directory`, parents before children, in name order.
    private static func listTree(_ directory: String) throws(ArchiveError) -> [String] {
        var result: [String] = []
        var pending: [String] = [""]
        while let relative = pending.popLast() {
            let full = relative.isEmpty ? directory : "\(directory)/\(relative)"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: full) else {
                throw .writeFailed(path: full, reason: "cannot list the folder")
            }
            for name in names.sorted().reversed() {
                let child = relative.isEmpty ? name : "\(relative)/\(name)"
                var info = stat()
                guard lstat("\(directory)/\(child)", &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR { pending.append(child) }
                result.append(child)
            }
        }
        return result.sorted()
    }

    private static func add(_ relative: String, from directory: String, to writer: OpaquePointer) throws(ArchiveError) {
        let full = "\(directory)/\(relative)"
        var info = stat()
        guard lstat(full, &info) == 0 else { throw .writeFailed(path: full, reason: String(cString: strerror(errno))) }
        guard let entry = archive_entry_new() else { throw .writeFailed(path: full, reason: "out of memory") }
        defer { archive_entry_free(entry) }
        let kind = info.st_mode & S_IFMT
        archive_entry_set_mtime(entry, 315_532_800, 0)  // 1980-01-01, the earliest time a zip can hold
        var contents = Data()
        switch kind {
        case S_IFDIR:
            archive_entry_set_pathname(entry, relative + "/")
            archive_entry_set_filetype(entry, 0o040000)
            archive_entry_set_perm(entry, 0o755)
        case S_IFLNK:
            var target = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = target.withUnsafeMutableBytes { readlink(full, $0.baseAddress!, $0.count - 1) }
            guard length >= 0 else { throw .writeFailed(path: full, reason: String(cString: strerror(errno))) }
            archive_entry_set_pathname(entry, relative)
            archive_entry_set_filetype(entry, 0o120000)
            archive_entry_set_perm(entry, 0o777)
            archive_entry_set_symlink(entry, String(decoding: target.prefix(length), as: UTF8.self))
        case S_IFREG:
            guard let data = FileManager.default.contents(atPath: full) else {
                throw .writeFailed(path: full, reason: "cannot read the file")
            }
            contents = data
            archive_entry_set_pathname(entry, relative)
            archive_entry_set_filetype(entry, 0o100000)
            archive_entry_set_perm(entry, info.st_mode & 0o111 != 0 ? 0o755 : 0o644)
            archive_entry_set_size(entry, Int64(data.count))
        default:
            return  // sockets, devices and pipes have no place in a deployment package
        }
        guard archive_write_header(writer, entry) == ARCHIVE_OK else {
            throw .writeFailed(path: full, reason: writerError(writer))
        }
        if !contents.isEmpty {
            let written = contents.withUnsafeBytes { archive_write_data(writer, $0.baseAddress, $0.count) }
            guard written == contents.count else { throw .writeFailed(path: full, reason: writerError(writer)) }
        }
    }

    private static func writerError(_ writer: OpaquePointer) -> String {
        archive_error_string(writer).map { String(cString: $0) } ?? "unknown archive error"
    }
}
