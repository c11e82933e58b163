import Foundation
import SwiftletModel
import Testing

@testable import SwiftletStore

@Suite("SQLiteStore reserved concurrency")
struct ReservedConcurrencyStoreTests {
    struct Refused: Error, Equatable {}

    static let account = "123456789012"
    static let region = "us-east-1"

    private func withStore(_ body: (SQLiteStore, String) throws -> Void) throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/state.db"
            try body(try SQLiteStore(path: path), path)
        }
    }

    private func reserve(_ store: SQLiteStore, _ name: String, _ value: Int?) throws -> Int {
        var others = -1
        try store.reserveConcurrency(accountId: Self.account, region: Self.region, name: name, value) { others = $0 }
        return others
    }

    private func reserved(_ store: SQLiteStore, _ name: String) throws -> Int? {
        try store.function(accountId: Self.account, region: Self.region, name: name)?.reservedConcurrency
    }

    @Test func aReservationIsReadBackWithTheFunctionAndSurvivesReopening() throws {
        try withStore { store, path in
            try store.insertFunction(record("f"))
            _ = try reserve(store, "f", 5)

            #expect(try reserved(store, "f") == 5)
            #expect(try reserved(SQLiteStore(path: path), "f") == 5)
        }
    }

    @Test func theCheckSeesWhatTheOtherFunctionsReserveInTheRegion() throws {
        try withStore { store, _ in
            for name in ["a", "b", "c"] { try store.insertFunction(record(name)) }
            try store.insertFunction(record("elsewhere", region: "eu-west-1"))
            try store.reserveConcurrency(accountId: Self.account, region: "eu-west-1", name: "elsewhere", 50) { _ in }
            _ = try reserve(store, "a", 3)
            _ = try reserve(store, "b", 4)

            #expect(try reserve(store, "a", 10) == 4)
            #expect(try reserve(store, "c", 1) == 14)
            #expect(try store.reservedConcurrencyTotal(accountId: Self.account, region: Self.region) == 15)
        }
    }

    @Test func aRefusedChangeLeavesTheReservationAlone() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f"))
            _ = try reserve(store, "f", 2)

            #expect(throws: Refused()) {
                try store.reserveConcurrency(accountId: Self.account, region: Self.region, name: "f", 9) { _ in
                    throw Refused()
                }
            }
            #expect(try reserved(store, "f") == 2)
        }
    }

    @Test func nilRemovesTheReservationAndZeroIsKept() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f"))
            try store.insertFunction(record("g"))
            _ = try reserve(store, "f", 0)
            _ = try reserve(store, "g", 6)
            _ = try reserve(store, "g", nil)

            #expect(try reserved(store, "f") == 0)
            #expect(try reserved(store, "g") == nil)
            #expect(try store.reservedConcurrencyTotal(accountId: Self.account, region: Self.region) == 0)
        }
    }

    @Test func otherUpdatesKeepTheReservation() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f"))
            _ = try reserve(store, "f", 7)
            try store.updateFunction(accountId: Self.account, region: Self.region, name: "f") {
                $0.configuration.description = "changed"
            }

            #expect(try reserved(store, "f") == 7)
        }
    }

    @Test func aMissingFunctionThrowsNotFound() throws {
        try withStore { store, _ in
            #expect(throws: StoreError.notFound) { try reserve(store, "absent", 1) }
        }
    }
}

@Suite("SQLiteStore provisioned concurrency")
struct ProvisionedConcurrencyStoreTests {
    struct Refused: Error, Equatable {}

    static let account = "123456789012"
    static let region = "us-east-1"

    private func config(_ function: String, _ qualifier: String, _ requested: Int = 1) -> ProvisionedConcurrencyConfig {
        ProvisionedConcurrencyConfig(
            accountId: Self.account, region: Self.region, functionName: function, qualifier: qualifier,
            requested: requested, lastModified: Date(timeIntervalSince1970: 1_704_067_200.125))
    }

    private func withStore(_ body: (SQLiteStore, String) throws -> Void) throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/state.db"
            try body(try SQLiteStore(path: path), path)
        }
    }

    @Test func aConfigReadsBackAndSurvivesReopening() throws {
        try withStore { store, path in
            try store.putProvisionedConcurrency(config("f", "1", 3)) { _ in }

            #expect(try store.provisionedConcurrency(functionName: "f") == [config("f", "1", 3)])
            #expect(try SQLiteStore(path: path).provisionedConcurrency(functionName: nil) == [config("f", "1", 3)])
        }
    }

    @Test func theCheckSeesTheFunctionsOtherConfigsAndMayRefuse() throws {
        try withStore { store, _ in
            try store.putProvisionedConcurrency(config("f", "1", 2)) { _ in }
            try store.putProvisionedConcurrency(config("f", "live", 4)) { _ in }
            try store.putProvisionedConcurrency(config("g", "1", 8)) { _ in }
            var seen: [String] = []

            #expect(throws: Refused()) {
                try store.putProvisionedConcurrency(config("f", "1", 5)) { others in
                    seen = others.map(\.qualifier)
                    throw Refused()
                }
            }
            #expect(seen == ["live"])
            #expect(try store.provisionedConcurrency(functionName: "f").map(\.requested) == [2, 4])
        }
    }

    @Test func putReplacesAndDeleteReturnsWhatWasThere() throws {
        try withStore { store, _ in
            try store.putProvisionedConcurrency(config("f", "1", 2)) { _ in }
            try store.putProvisionedConcurrency(config("f", "1", 6)) { _ in }

            let removed = try store.deleteProvisionedConcurrency(
                accountId: Self.account, region: Self.region, functionName: "f", qualifier: "1")
            let again = try store.deleteProvisionedConcurrency(
                accountId: Self.account, region: Self.region, functionName: "f", qualifier: "1")

            #expect(removed?.requested == 6)
            #expect(again == nil)
        }
    }

    @Test func deletingTheFunctionOrTheVersionRemovesItsConfigs() throws {
        try withStore { store, _ in
            try store.insertFunction(record("f"))
            try store.insertFunction(record("g"))
            for (function, qualifier) in [("f", "1"), ("f", "2"), ("g", "1")] {
                try store.putProvisionedConcurrency(config(function, qualifier)) { _ in }
            }
            for _ in 0..<2 {
                _ = try store.publishVersion(accountId: Self.account, region: Self.region, name: "g") { record, _ in
                    var snapshot = record.configuration
                    snapshot.revisionId = UUID().uuidString
                    return snapshot
                }
            }

            _ = try store.deleteFunction(accountId: Self.account, region: Self.region, name: "f")
            _ = try store.deleteVersion(accountId: Self.account, region: Self.region, name: "g", version: 1)

            #expect(try store.provisionedConcurrency(functionName: nil).isEmpty)
        }
    }
}

@Suite("SQLiteStore event invoke configurations")
struct EventInvokeConfigStoreTests {
    static let account = "123456789012"
    static let region = "us-east-1"

    private func config(_ function: String, _ qualifier: String, retries: Int? = nil) -> EventInvokeConfig {
        EventInvokeConfig(
            accountId: Self.account, region: Self.region, functionName: function, qualifier: qualifier,
            maximumRetryAttempts: retries, maximumEventAgeInSeconds: 600,
            onSuccess: "arn:aws:sqs:us-east-1:123456789012:done", onFailure: nil,
            lastModified: Date(timeIntervalSince1970: 1_704_067_200.5))
    }

    @Test func configsReadBackInQualifierOrderAndPutReplaces() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteStore(path: folder + "/state.db")
            try store.putEventInvokeConfig(config("f", "live", retries: 1))
            try store.putEventInvokeConfig(config("f", "$LATEST"))
            try store.putEventInvokeConfig(config("f", "live", retries: 0))

            let configs = try store.eventInvokeConfigs(accountId: Self.account, region: Self.region, functionName: "f")

            #expect(configs == [config("f", "$LATEST"), config("f", "live", retries: 0)])
        }
    }

    @Test func deletingTheFunctionVersionOrAliasRemovesItsConfigs() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteStore(path: folder + "/state.db")
            try store.insertFunction(record("f"))
            _ = try store.publishVersion(accountId: Self.account, region: Self.region, name: "f") { record, _ in
                record.configuration
            }
            try store.insertAlias(
                FunctionAlias(
                    accountId: Self.account, region: Self.region, functionName: "f", name: "live",
                    functionVersion: "1", revisionId: "r"))
            for qualifier in ["$LATEST", "1", "live"] { try store.putEventInvokeConfig(config("f", qualifier)) }

            _ = try store.deleteAlias(accountId: Self.account, region: Self.region, functionName: "f", name: "live")
            _ = try store.deleteVersion(accountId: Self.account, region: Self.region, name: "f", version: 1)
            let left = try store.eventInvokeConfigs(accountId: Self.account, region: Self.region, functionName: "f")
            _ = try store.deleteFunction(accountId: Self.account, region: Self.region, name: "f")

            #expect(left.map(\.qualifier) == ["$LATEST"])
            #expect(
                try store.eventInvokeConfigs(accountId: Self.account, region: Self.region, functionName: "f").isEmpty)
            #expect(
                try store.deleteEventInvokeConfig(
                    accountId: Self.account, region: Self.region, functionName: "f", qualifier: "$LATEST") == nil)
        }
    }
}
