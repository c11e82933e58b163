import Foundation

/// Creates a fresh folder under the system's temporary directory, runs `body` with its path, and removes it.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let path = NSTemporaryDirectory() + "swiftlet-system-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Writes `contents` to `relative` below `root`, creating its folders, with the given permissions.
func writeFile(_ relative: String, in root: String, contents: String = "", mode: Int = 0o644) throws {
    let path = root + "/" + relative
    let folder = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}

/// Sum of the sizes of the regular files below `root`.
func bytesOnDisk(below root: String) -> Int64 {
    guard let walker = FileManager.default.enumerator(atPath: root) else { return 0 }
    var total: Int64 = 0
    while let relative = walker.nextObject() as? String {
        var info = stat()
        guard lstat(root + "/" + relative, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
        total += Int64(info.st_size)
    }
    return total
}

struct PythonFailure: Error, CustomStringConvertible {
    var description: String
}

/// Builds a zip that ZipArchive.create would never write, with Python's `zipfile`.
///
/// `script` runs with `z`, an open `zipfile.ZipFile`, and `zipfile` in scope; `patch`, if given, runs afterwards
/// with `data`, a `bytearray` of the finished archive that it may change in place.
func craftedZip(_ script: String, patch: String = "") throws -> Data {
    try withTemporaryDirectory { folder in
        let output = folder + "/crafted.zip"
        let program = """
            import io, struct, sys, zipfile
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, 'w') as z:
            \(indented(script))
            data = bytearray(buffer.getvalue())
            \(patch)
            open(sys.argv[1], 'wb').write(data)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", program, output]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: output) else {
            throw PythonFailure(description: "python3 failed to build the archive:\n\(program)")
        }
        return data
    }
}

private func indented(_ script: String) -> String {
    script.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
}
