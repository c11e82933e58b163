import SwiftletSystem
import Testing

@Suite("ArchivePath")
struct ArchivePathTests {
    @Test(arguments: [
        ("a.txt", "a.txt"),
        ("dir/a.txt", "dir/a.txt"),
        ("./dir/./a.txt", "dir/a.txt"),
        ("dir//a.txt", "dir/a.txt"),
        ("dir/", "dir"),
        ("./", ""),
        ("..hidden", "..hidden"),
        ("dir/...", "dir/..."),
    ])
    func safeEntryPathIsNormalized(raw: String, expected: String) {
        #expect(ArchivePath.normalizedEntryPath(raw) == expected)
    }

    @Test(arguments: ["/etc/passwd", "../x", "a/../../x", "a/..", "dir\\file", "a\u{0}b", "line\nbreak", "tab\tname"])
    func unsafeEntryPathIsRefused(raw: String) {
        #expect(ArchivePath.normalizedEntryPath(raw) == nil)
    }

    @Test(arguments: [
        ("link", "file"),
        ("link", "./dir/file"),
        ("a/b/link", "../../file"),
        ("a/link", "../a/../b"),
        ("a/link", "b//c/"),
    ])
    func linkResolvingInsideIsAllowed(linkPath: String, target: String) {
        #expect(ArchivePath.linkStaysInside(linkPath: linkPath, target: target))
    }

    @Test(arguments: [
        ("link", "../etc"),
        ("link", "/etc/passwd"),
        ("link", ""),
        ("a/b/link", "../../../x"),
        ("a/link", "b/../../../x"),
        ("link", "./.."),
    ])
    func linkResolvingOutsideIsRefused(linkPath: String, target: String) {
        #expect(!ArchivePath.linkStaysInside(linkPath: linkPath, target: target))
    }
}
