import Foundation
import SwiftletModel
import Testing

@testable import SwiftletStore

@Suite("SQLiteStore aliases")
struct AliasStoreTests {
    struct Abandoned: Error {}

    private func withStore(_ body: (SQLiteStore) throws -> Void) throws {
        try withTemporaryDirectory { folder in try body(try SQLiteStore(path: folder + "/state.db")) }
    }

    private func alias(
        _ name: String, function: String = "resize", version: String = "1", weights: [String: Double] = [:]
    ) -> FunctionAlias {
        FunctionAlias(
            accountId: "123456789012", region: "us-east-1", functionName: function, name: name,
            functionVersion: version, description: "d", additionalVersionWeights: weights, revisionId: "r-\(name)")
    }

    @Test func insertedAliasReadsBackEqual() throws {
        try withStore { store in
            let original = alias("live", weights: ["2": 0.25])
            try store.insertAlias(original)
            let read = try store.alias(
                accountId: "123456789012", region: "us-east-1", functionName: "resize", name: "live")
            #expect(read == original)
        }
    }

    @Test func duplicateAliasThrowsAlreadyExists() throws {
        try withStore { store in
            try store.insertAlias(alias("live"))
            #expect(throws: StoreError.alreadyExists) { try store.insertAlias(alias("live", version: "2")) }
        }
    }

    @Test func listReturnsOneFunctionsAliasesInNameOrderAfterTheMarker() throws {
        try withStore { store in
            for name in ["c", "a", "b"] { try store.insertAlias(alias(name)) }
            try store.insertAlias(alias("other", function: "thumbnail"))
            let all = try store.listAliases(
                accountId: "123456789012", region: "us-east-1", functionName: "resize", after: nil, limit: 10)
            #expect(all.map(\.name) == ["a", "b", "c"])
            let rest = try store.listAliases(
                accountId: "123456789012", region: "us-east-1", functionName: "resize", after: "a", limit: 1)
            #expect(rest.map(\.name) == ["b"])
        }
    }

    @Test func updateWritesTheChangeAndAThrowingChangeLeavesTheAliasAlone() throws {
        try withStore { store in
            try store.insertAlias(alias("live"))
            try store.updateAlias(accountId: "123456789012", region: "us-east-1", functionName: "resize", name: "live")
            {
                $0.functionVersion = "3"
            }
            #expect(throws: Abandoned.self) {
                try store.updateAlias(
                    accountId: "123456789012", region: "us-east-1", functionName: "resize", name: "live"
                ) {
                    $0.functionVersion = "9"
                    throw Abandoned()
                }
            }
            let read = try store.alias(
                accountId: "123456789012", region: "us-east-1", functionName: "resize", name: "live")
            #expect(read?.functionVersion == "3")
            #expect(throws: StoreError.notFound) {
                try store.updateAlias(
                    accountId: "123456789012", region: "us-east-1", functionName: "resize", name: "gone"
                ) { _ in }
            }
        }
    }

    @Test func deleteRemovesTheAliasAndReturnsIt() throws {
        try withStore { store in
            try store.insertAlias(alias("live"))
            let removed = try store.deleteAlias(
                accountId: "123456789012", region: "us-east-1", functionName: "resize", name: "live")
            #expect(removed?.name == "live")
            let again = try store.deleteAlias(
                accountId: "123456789012", region: "us-east-1", functionName: "resize", name: "live")
            #expect(again == nil)
        }
    }

    @Test func deletingTheFunctionDeletesItsAliasesOnly() throws {
        try withStore { store in
            try store.insertFunction(record("resize"))
            try store.insertAlias(alias("live"))
            try store.insertAlias(alias("live", function: "thumbnail"))
            _ = try store.deleteFunction(accountId: "123456789012", region: "us-east-1", name: "resize")
            let left = try store.listAliases(
                accountId: "123456789012", region: "us-east-1", functionName: "resize", after: nil, limit: 10)
            #expect(left.isEmpty)
            let other = try store.alias(
                accountId: "123456789012", region: "us-east-1", functionName: "thumbnail", name: "live")
            #expect(other != nil)
        }
    }

    @Test func aliasesDoNotCountAsCodeReferences() throws {
        try withStore { store in
            try store.insertFunction(record("resize", digest: digest("a")))
            try store.insertAlias(alias("live", version: "$LATEST"))
            #expect(try store.codeReferences(sha256Hex: digest("a")) == 1)
        }
    }

    @Test func weightedDrawPicksTheAdditionalVersionBelowItsWeight() {
        let weighted = alias("canary", version: "1", weights: ["2": 0.2])
        #expect(weighted.version(forDraw: 0.0) == "2")
        #expect(weighted.version(forDraw: 0.19) == "2")
        #expect(weighted.version(forDraw: 0.2) == "1")
        #expect(weighted.version(forDraw: 0.99) == "1")
    }
}
