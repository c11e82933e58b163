import Foundation

/// An `errno` with the call that set it.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    /// The C call that failed, for example `open`.
    public var call: String
    /// The path it worked on, when there was one.
    public var path: String?
    /// The value of `errno`.
    public var code: Int32

    public init(_ call: String, path: String? = nil, code: Int32 = errno) {
        self.call = call
        self.path = path
        self.code = code
    }

    public var description: String {
        let reason = String(cString: strerror(code))
        if let path { return "\(call)(\(path)): \(reason)" }
        return "\(call): \(reason)"
    }
}

/// File operations with the durability guarantees the store needs.
public enum FileSystem {
    /// Creates `path` and its missing parents.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST { throw SystemError("mkdir", path: current) }
        }
    }

    /// Writes `data` to `path` so that a crash leaves either the old file or the whole new one:
    /// write a temporary sibling, `fsync` it, rename it over `path`, then `fsync` the folder.
    public static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o644) throws(SystemError) {
        let temporary = "\(path).tmp-\(getpid())-\(Digest.randomBytes(4).hexString)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw SystemError("open", path: temporary) }
        var failure: SystemError?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError("write", path: temporary)
                    return
                }
                offset += written
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = SystemError("fsync", path: temporary) }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let error = SystemError("rename", path: path)
            unlink(temporary)
            throw error
        }
        try syncDirectory(containing: path)
    }

    /// `fsync` on the folder holding `path`, so that a rename or a new entry survives a crash.
    public static func syncDirectory(containing path: String) throws(SystemError) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError("open", path: folder) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw SystemError("fsync", path: folder) }
    }

    /// True when something exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Reads a whole file.
    public static func read(_ path: String) throws(SystemError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw SystemError("open", path: path) }
        return data
    }

    /// Reads the first `limit` bytes of a small file (such as a `/proc` or cgroup file) with plain `open` and `read`,
    /// without Foundation's file machinery; nil when it cannot be read.
    public static func readSmall(_ path: String, limit: Int = 4096) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < limit {
            let count = buffer.withUnsafeMutableBytes {
                Foundation.read(descriptor, $0.baseAddress! + total, limit - total)
            }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            total += count
        }
        return Array(buffer.prefix(total))
    }

    /// The decimal number that follows `label` in a small text file (`VmHWM:` in `/proc/<pid>/status`), or the
    /// number the file holds when `label` is empty.
    public static func readNumber(_ path: String, after label: String = "") -> Int64? {
        guard let bytes = readSmall(path) else { return nil }
        var index = 0
        if !label.isEmpty {
            // A plain scan: the generic `firstRange(of:)` is unspecialized here and cost more than the read itself
            // on every invocation's REPORT.
            guard let found = Self.end(of: Array(label.utf8), in: bytes) else { return nil }
            index = found
        }
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            value = value * 10 + Int64(bytes[index] - 0x30)
            digits += 1
            index += 1
        }
        return digits > 0 ? value : nil
    }

    /// The index just past the first occurrence of `needle` in `bytes`, or nil.
    static func end(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !needle.isEmpty, needle.count <= bytes.count else { return nil }
        let first = needle[0]
        var start = 0
        while start <= bytes.count - needle.count {
            if bytes[start] == first {
                var offset = 1
                while offset < needle.count, bytes[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return start + needle.count }
            }
            start += 1
        }
        return nil
    }

    /// Removes `path` and everything below it; a missing path is not an error.
    public static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
