import Foundation
import SwiftletModel
import Testing

@testable import SwiftletStore

@Suite("SQLiteStore layers")
struct LayerStoreTests {
    struct Abandoned: Error {}

    private let account = "123456789012"
    private let region = "us-east-1"

    private func withStore(_ body: (SQLiteStore) throws -> Void) throws {
        try withTemporaryDirectory { folder in try body(try SQLiteStore(path: folder + "/state.db")) }
    }

    private func layer(
        _ name: String, digest hex: String = digest("a"), runtimes: [String] = [], architectures: [String] = [],
        account: String? = nil
    ) -> LayerVersion {
        LayerVersion(
            accountId: account ?? self.account, region: region, name: name, description: "d",
            compatibleRuntimes: runtimes, compatibleArchitectures: architectures,
            code: CodeDescriptor(sha256Hex: hex, sha256Base64: "AA==", size: 40, unpackedSize: 120),
            created: Date(timeIntervalSince1970: 1_704_067_200.5))
    }

    @Test func publishedVersionsAreNumberedFromOneAndReadBackEqual() throws {
        try withStore { store in
            let first = try store.publishLayerVersion(layer("tools"))
            let second = try store.publishLayerVersion(layer("tools", runtimes: ["python3.12"]))
            let other = try store.publishLayerVersion(layer("other"))

            #expect(first.version == 1 && second.version == 2 && other.version == 1)
            #expect(try store.layerVersion(accountId: account, region: region, name: "tools", version: 2) == second)
            #expect(try store.layerVersion(accountId: account, region: region, name: "tools", version: 3) == nil)
        }
    }

    @Test func deletedNumbersAreNeverReused() throws {
        try withStore { store in
            _ = try store.publishLayerVersion(layer("tools"))
            _ = try store.publishLayerVersion(layer("tools"))
            #expect(try store.deleteLayerVersion(accountId: account, region: region, name: "tools", version: 2) != nil)
            #expect(try store.deleteLayerVersion(accountId: account, region: region, name: "tools", version: 1) != nil)

            let next = try store.publishLayerVersion(layer("tools"))

            #expect(next.version == 3)
            #expect(try store.deleteLayerVersion(accountId: account, region: region, name: "tools", version: 2) == nil)
        }
    }

    @Test func versionsListNewestFirstBelowTheMarkerAndMatchingTheFilter() throws {
        try withStore { store in
            for runtime in ["python3.11", "python3.12", "python3.11", "nodejs20.x"] {
                _ = try store.publishLayerVersion(layer("tools", runtimes: [runtime]))
            }
            let all = try store.listLayerVersions(
                accountId: account, region: region, name: "tools", before: nil, matching: LayerFilter(), limit: 10)
            let page = try store.listLayerVersions(
                accountId: account, region: region, name: "tools", before: 4, matching: LayerFilter(), limit: 2)
            let python = try store.listLayerVersions(
                accountId: account, region: region, name: "tools", before: nil,
                matching: LayerFilter(runtime: "python3.11"), limit: 10)

            #expect(all.map(\.version) == [4, 3, 2, 1])
            #expect(page.map(\.version) == [3, 2])
            #expect(python.map(\.version) == [3, 1])
        }
    }

    @Test func latestVersionsAreTheNewestMatchingOnePerLayerInNameOrder() throws {
        try withStore { store in
            _ = try store.publishLayerVersion(layer("bravo", architectures: ["x86_64"]))
            _ = try store.publishLayerVersion(layer("alpha", architectures: ["x86_64"]))
            _ = try store.publishLayerVersion(layer("alpha", architectures: ["arm64"]))
            _ = try store.publishLayerVersion(layer("charlie"))

            let all = try store.listLatestLayerVersions(
                accountId: account, region: region, after: nil, matching: LayerFilter(), limit: 10)
            let x86 = try store.listLatestLayerVersions(
                accountId: account, region: region, after: nil, matching: LayerFilter(architecture: "x86_64"),
                limit: 10)
            let afterAlpha = try store.listLatestLayerVersions(
                accountId: account, region: region, after: "alpha", matching: LayerFilter(), limit: 1)

            #expect(all.map { "\($0.name):\($0.version)" } == ["alpha:2", "bravo:1", "charlie:1"])
            #expect(x86.map { "\($0.name):\($0.version)" } == ["alpha:1", "bravo:1"])
            #expect(afterAlpha.map(\.name) == ["bravo"])
        }
    }

    @Test func policyChangesAreStoredInOrderWithTheirRevision() throws {
        try withStore { store in
            let published = try store.publishLayerVersion(layer("tools"))
            let initial = try #require(
                try store.layerVersionPolicy(accountId: account, region: region, name: "tools", version: 1))
            #expect(initial.statements.isEmpty && initial.revisionId == published.policyRevisionId)

            try store.updateLayerVersionPolicy(accountId: account, region: region, name: "tools", version: 1) {
                $0.statements.append(LayerPermission(statementId: "b", principal: "*"))
                $0.statements.append(
                    LayerPermission(statementId: "a", principal: "210987654321", organizationId: "o-abcdefghij"))
                $0.revisionId = "r2"
            }
            let read = try store.layerVersionPolicy(accountId: account, region: region, name: "tools", version: 1)

            #expect(read?.revisionId == "r2")
            #expect(read?.statements.map(\.statementId) == ["b", "a"])
            #expect(read?.statements.last?.organizationId == "o-abcdefghij")
        }
    }

    @Test func abandonedPolicyChangeWritesNothingAndMissingVersionIsNotFound() throws {
        try withStore { store in
            _ = try store.publishLayerVersion(layer("tools"))
            #expect(throws: Abandoned.self) {
                try store.updateLayerVersionPolicy(accountId: account, region: region, name: "tools", version: 1) {
                    $0.statements.append(LayerPermission(statementId: "x", principal: "*"))
                    throw Abandoned()
                }
            }
            #expect(throws: StoreError.notFound) {
                try store.updateLayerVersionPolicy(accountId: account, region: region, name: "tools", version: 2) {
                    _ in
                }
            }
            let policy = try store.layerVersionPolicy(accountId: account, region: region, name: "tools", version: 1)
            #expect(policy?.statements.isEmpty == true)
        }
    }

    @Test func deletingAVersionRemovesItsPolicy() throws {
        try withStore { store in
            _ = try store.publishLayerVersion(layer("tools"))
            try store.updateLayerVersionPolicy(accountId: account, region: region, name: "tools", version: 1) {
                $0.statements = [LayerPermission(statementId: "x", principal: "*")]
            }
            _ = try store.deleteLayerVersion(accountId: account, region: region, name: "tools", version: 1)

            #expect(try store.layerVersionPolicy(accountId: account, region: region, name: "tools", version: 1) == nil)
        }
    }

    @Test func codeReferencesCountLayerVersionsAndTheFunctionsUsingThem() throws {
        try withStore { store in
            let published = try store.publishLayerVersion(layer("tools", digest: digest("c")))
            var function = record("uses", digest: digest("a"))
            function.configuration.layers = [published.functionLayer]
            try store.insertFunction(function)
            _ = try store.publishVersion(accountId: account, region: region, name: "uses") { latest, _ in
                latest.configuration
            }
            #expect(try store.codeReferences(sha256Hex: digest("c")) == 3)

            _ = try store.deleteLayerVersion(accountId: account, region: region, name: "tools", version: 1)
            #expect(try store.codeReferences(sha256Hex: digest("c")) == 2)

            try store.updateFunction(accountId: account, region: region, name: "uses") { $0.configuration.layers = [] }
            #expect(try store.codeReferences(sha256Hex: digest("c")) == 1)

            let deleted = try #require(try store.deleteFunction(accountId: account, region: region, name: "uses"))
            #expect(deleted.codeDigests == [digest("a"), digest("c")])
            #expect(try store.codeReferences(sha256Hex: digest("c")) == 0)
        }
    }

    @Test func functionLayersSurviveARoundTripAndAPublishedVersion() throws {
        try withStore { store in
            let published = try store.publishLayerVersion(layer("tools"))
            var function = record("uses")
            function.configuration.layers = [published.functionLayer]
            try store.insertFunction(function)
            let version = try store.publishVersion(accountId: account, region: region, name: "uses") { latest, _ in
                latest.configuration
            }

            function.lastPublishedVersion = 1
            #expect(try store.function(accountId: account, region: region, name: "uses") == function)
            #expect(version.layers == [published.functionLayer])
        }
    }

    @Test func accountUsageCountsLayerCode() throws {
        try withStore { store in
            try store.insertFunction(record("f", codeSize: 100))
            _ = try store.publishLayerVersion(layer("tools"))
            _ = try store.publishLayerVersion(layer("tools", account: "210987654321"))

            #expect(try store.accountUsage(accountId: account) == AccountUsage(functionCount: 1, totalCodeSize: 140))
        }
    }

    @Test func layersAreKeptApartByAccountAndRegion() throws {
        try withStore { store in
            _ = try store.publishLayerVersion(layer("tools", account: "210987654321"))

            let own = try store.listLatestLayerVersions(
                accountId: account, region: region, after: nil, matching: LayerFilter(), limit: 10)
            let published = try store.publishLayerVersion(layer("tools"))

            #expect(own.isEmpty)
            #expect(published.version == 1)
        }
    }
}
