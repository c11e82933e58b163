import Testing

@testable import SwiftletSystem

@Suite("Links resolved through other links")
struct ArchiveLinkChainTests {
    @Test func chainClimbingOutThroughAnotherLinkIsOutside() {
        let links = ["a": ".", "b": "a/.."]
        #expect(ArchivePath.resolvesInside("a", links: links))
        #expect(!ArchivePath.resolvesInside("b", links: links))
    }

    @Test func sharedLibraryChainStaysInside() {
        let links = ["lib/libx.so": "libx.so.1", "lib/libx.so.1": "libx.so.1.2"]
        #expect(ArchivePath.resolvesInside("lib/libx.so", links: links))
    }

    @Test func loopIsOutside() {
        let links = ["a": "b", "b": "a"]
        #expect(!ArchivePath.resolvesInside("a", links: links))
    }

    @Test func linkIntoLinkedFolderThatClimbsIsOutside() {
        let links = ["deep/up": "../..", "x": "deep/up/etc"]
        #expect(!ArchivePath.resolvesInside("x", links: links))
    }

    @Test func inspectRefusesAChainThatClimbsOut() throws {
        let zip = try craftedZip(
            """
            for name, target in [('a', '.'), ('b', 'a/..')]:
                link = zipfile.ZipInfo(name)
                link.create_system = 3
                link.external_attr = 0o120777 << 16
                z.writestr(link, target)
            z.writestr('ok.py', 'x = 1')
            """)
        #expect(throws: ArchiveError.unsafePath("b")) {
            try ZipArchive.inspect(zip, unpackedLimit: 1 << 20)
        }
    }
}
