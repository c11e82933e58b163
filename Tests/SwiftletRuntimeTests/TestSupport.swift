import Foundation
import SwiftletModel
import SwiftletSystem

/// Creates a fresh folder under the system's temporary directory, runs `body` with its path, and removes it.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let path = makeTemporaryDirectory()
    defer { FileSystem.removeTree(path) }
    return try body(path)
}

/// A fresh folder under the system's temporary directory; the caller removes it.
func makeTemporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "swiftlet-runtime-tests-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `contents` to `relative` below `root`, creating its folders, with the given permissions.
func writeFile(_ relative: String, in root: String, contents: String = "", mode: Int = 0o644) throws {
    let path = root + "/" + relative
    let folder = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}

/// The text of a file, or nil when it cannot be read.
func contents(of path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
}

/// A zip of the files given as relative path and contents; paths ending in `bootstrap` are made executable.
func zip(_ files: [(String, String)]) throws -> Data {
    try withTemporaryDirectory { folder in
        for (path, text) in files {
            try writeFile(path, in: folder, contents: text, mode: path.hasSuffix("bootstrap") ? 0o755 : 0o644)
        }
        return try ZipArchive.create(fromDirectory: folder)
    }
}

/// The code descriptor of `zip`, as CreateFunction would record it.
func descriptor(of zip: Data) -> CodeDescriptor {
    let digest = Digest.sha256(zip)
    return CodeDescriptor(
        sha256Hex: digest.hexString, sha256Base64: Data(digest).base64EncodedString(), size: Int64(zip.count),
        unpackedSize: Int64(zip.count))
}

/// True when `text` matches the regular expression `pattern` as a whole.
func matches(_ text: String, _ pattern: String) -> Bool {
    text.range(of: "^(?:\(pattern))$", options: .regularExpression) != nil
}

/// Calls `condition` every 10 ms until it holds or `seconds` pass; returns its last answer.
func eventually(within seconds: Double = 3, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
