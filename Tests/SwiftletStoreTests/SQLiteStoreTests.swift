import Foundation
import SwiftletModel
import Synchronization
import Testing

@testable import SwiftletStore

@Suite("SQLiteStore")
struct SQLiteStoreTests {
    struct Abandoned: Error {}

    private func withStore(_ body: (SQLiteStore, String) throws -> Void) throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/state.db"
            try body(try SQLiteStore(path: path), path)
        }
    }

    @Test func insertedFunctionReadsBackEqual() throws {
        try withStore { store, _ in
            let original = record("resize", tags: ["team": "media"])
            try store.insertFunction(original)
            let read = try store.function(accountId: "123456789012", region: "us-east-1", name: "resize")
            #expect(read == original)
        }
    }

    @Test func missingFunctionReadsAsNil() throws {
        try withStore { store, _ in
            let read = try store.function(accountId: "123456789012", region: "us-east-1", name: "absent")
            #expect(read == nil)
        }
    }

    @Test func duplicateInsertThrowsAlreadyExists() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f"))
            #expect(throws: StoreError.alreadyExists) { try store.insertFunction(record("f")) }
        }
    }

    @Test func sameNameInAnotherAccountOrRegionIsADifferentFunction() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f"))
            try store.insertFunction(record("f", account: "210987654321"))
            try store.insertFunction(record("f", region: "eu-west-1"))
            #expect(try store.function(accountId: "210987654321", region: "us-east-1", name: "f") != nil)
            #expect(try store.function(accountId: "123456789012", region: "eu-west-1", name: "f") != nil)
            #expect(try store.function(accountId: "210987654321", region: "eu-west-1", name: "f") == nil)
        }
    }

    @Test func listIsInNameOrderWhateverTheInsertOrder() throws {
        try withStore { store, _ in
            for name in ["charlie", "alpha", "delta", "bravo"] { try store.insertFunction(record(name)) }
            let names = try store.listFunctions(accountId: "123456789012", region: "us-east-1", after: nil, limit: 10)
                .map(\.configuration.name)
            #expect(names == ["alpha", "bravo", "charlie", "delta"])
        }
    }

    @Test func listPagesWithLimitAndTheAfterMarker() throws {
        try withStore { store, _ in
            for name in ["e", "d", "c", "b", "a"] { try store.insertFunction(record(name)) }
            func page(after marker: String?) throws -> [String] {
                try store.listFunctions(accountId: "123456789012", region: "us-east-1", after: marker, limit: 2)
                    .map(\.configuration.name)
            }
            #expect(try page(after: nil) == ["a", "b"])
            #expect(try page(after: "b") == ["c", "d"])
            #expect(try page(after: "d") == ["e"])
            #expect(try page(after: "e") == [])
            #expect(try page(after: "bb") == ["c", "d"])
        }
    }

    @Test func listShowsOnlyTheAccountAndRegionAsked() throws {
        try withStore { store, _ in
            try store.insertFunction(record("mine"))
            try store.insertFunction(record("theirs", account: "210987654321"))
            try store.insertFunction(record("elsewhere", region: "eu-west-1"))
            let names = try store.listFunctions(accountId: "123456789012", region: "us-east-1", after: nil, limit: 10)
                .map(\.configuration.name)
            #expect(names == ["mine"])
        }
    }

    @Test func updateWritesTheChangeAndReturnsIt() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f"))
            let updated = try store.updateFunction(accountId: "123456789012", region: "us-east-1", name: "f") {
                $0.configuration.memorySize = 1024
                $0.tags["stage"] = "prod"
            }
            #expect(updated.configuration.memorySize == 1024)
            let read = try store.function(accountId: "123456789012", region: "us-east-1", name: "f")
            #expect(read == updated)
        }
    }

    @Test func updateWhoseChangeThrowsLeavesTheRowUnchanged() throws {
        try withStore { store, _ in
            let original = record("f")
            try store.insertFunction(original)
            #expect(throws: Abandoned.self) {
                try store.updateFunction(accountId: "123456789012", region: "us-east-1", name: "f") { record in
                    record.configuration.memorySize = 4096
                    throw Abandoned()
                }
            }
            #expect(try store.function(accountId: "123456789012", region: "us-east-1", name: "f") == original)
        }
    }

    @Test func updateOfAMissingFunctionThrowsNotFound() throws {
        try withStore { store, _ in
            #expect(throws: StoreError.notFound) {
                try store.updateFunction(accountId: "123456789012", region: "us-east-1", name: "absent") { _ in }
            }
        }
    }

    @Test func concurrentUpdatesAreSerialized() throws {
        try withStore { store, _ in
            try store.insertFunction(record("counter"))
            let failures = ErrorCounter()
            DispatchQueue.concurrentPerform(iterations: 40) { _ in
                do {
                    try store.updateFunction(accountId: "123456789012", region: "us-east-1", name: "counter") {
                        $0.configuration.timeout += 1
                    }
                } catch {
                    failures.add()
                }
            }
            let read = try store.function(accountId: "123456789012", region: "us-east-1", name: "counter")
            #expect(failures.count == 0)
            #expect(read?.configuration.timeout == FunctionDefaults.timeout + 40)
        }
    }

    @Test func deleteReturnsTheFunctionOnceAndRemovesIt() throws {
        try withStore { store, _ in
            let original = record("f")
            try store.insertFunction(original)
            let deleted = try store.deleteFunction(accountId: "123456789012", region: "us-east-1", name: "f")
            #expect(deleted?.latest == original)
            #expect(try store.deleteFunction(accountId: "123456789012", region: "us-east-1", name: "f") == nil)
            #expect(try store.function(accountId: "123456789012", region: "us-east-1", name: "f") == nil)
        }
    }

    @Test func deletedNameCanBeUsedAgain() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f"))
            _ = try store.deleteFunction(accountId: "123456789012", region: "us-east-1", name: "f")
            try store.insertFunction(record("f", codeSize: 7))
            let read = try store.function(accountId: "123456789012", region: "us-east-1", name: "f")
            #expect(read?.configuration.code.size == 7)
        }
    }

    @Test func codeReferencesCountFunctionsInEveryAccount() throws {
        try withStore { store, _ in
            try store.insertFunction(record("a", digest: digest("a")))
            try store.insertFunction(record("b", digest: digest("a")))
            try store.insertFunction(record("c", account: "210987654321", digest: digest("a")))
            try store.insertFunction(record("d", digest: digest("d")))
            #expect(try store.codeReferences(sha256Hex: digest("a")) == 3)
            #expect(try store.codeReferences(sha256Hex: digest("d")) == 1)
            #expect(try store.codeReferences(sha256Hex: digest("f")) == 0)
            _ = try store.deleteFunction(accountId: "123456789012", region: "us-east-1", name: "a")
            #expect(try store.codeReferences(sha256Hex: digest("a")) == 2)
        }
    }

    @Test func codeReferencesFollowAnUpdatedDigest() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f", digest: digest("a")))
            try store.updateFunction(accountId: "123456789012", region: "us-east-1", name: "f") {
                $0.configuration.code.sha256Hex = digest("b")
            }
            #expect(try store.codeReferences(sha256Hex: digest("a")) == 0)
            #expect(try store.codeReferences(sha256Hex: digest("b")) == 1)
        }
    }

    @Test func accountUsageCountsFunctionsAndCodeBytesOfOneAccount() throws {
        try withStore { store, _ in
            #expect(
                try store.accountUsage(accountId: "123456789012") == AccountUsage(functionCount: 0, totalCodeSize: 0))
            try store.insertFunction(record("a", codeSize: 100))
            try store.insertFunction(record("b", region: "eu-west-1", codeSize: 250))
            try store.insertFunction(record("c", account: "210987654321", codeSize: 9_999))
            #expect(
                try store.accountUsage(accountId: "123456789012") == AccountUsage(functionCount: 2, totalCodeSize: 350))
        }
    }

    @Test func dataSurvivesClosingAndReopeningTheStore() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/state.db"
            let original = record("durable", tags: ["k": "v"])
            do {
                let store = try SQLiteStore(path: path)
                try store.insertFunction(original)
            }
            let reopened = try SQLiteStore(path: path)
            #expect(try reopened.function(accountId: "123456789012", region: "us-east-1", name: "durable") == original)
        }
    }

    @Test func reopeningDoesNotRerunMigrations() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/state.db"
            do { try SQLiteStore(path: path).insertFunction(record("f")) }
            _ = try SQLiteStore(path: path)
            let store = try SQLiteStore(path: path)
            #expect(try store.function(accountId: "123456789012", region: "us-east-1", name: "f") != nil)

            let connection = try SQLiteConnection(path: path)
            let version = try connection.withStatement("PRAGMA user_version") { statement throws(SQLiteError) in
                try statement.step() ? statement.integer(0) : -1
            }
            #expect(version == Int64(SQLiteStore.migrations.count))
        }
    }

    @Test func databaseUsesWriteAheadLogging() throws {
        try withStore { _, path in
            let connection = try SQLiteConnection(path: path)
            let mode = try connection.withStatement("PRAGMA journal_mode") { statement throws(SQLiteError) in
                try statement.step() ? statement.text(0) : nil
            }
            #expect(mode == "wal")
        }
    }

    @Test func unopenablePathThrows() {
        #expect(throws: (any Error).self) { try SQLiteStore(path: "/nonexistent-\(UUID().uuidString)/state.db") }
    }
}

/// Counts failures reported from concurrent work.
final class ErrorCounter: Sendable {
    private let value = Mutex(0)

    func add() { value.withLock { $0 += 1 } }

    var count: Int { value.withLock { $0 } }
}
