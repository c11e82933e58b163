import Foundation
import SwiftletModel
import Testing

@testable import SwiftletStore

@Suite("SQLiteStore event source mappings")
struct EventSourceMappingStoreTests {
    struct Conflict: Error {}

    private func mapping(_ uuid: String, queue: String = "jobs") -> EventSourceMapping {
        EventSourceMapping(
            uuid: uuid, accountId: "123456789012", region: "us-east-1", functionName: "worker", qualifier: "live",
            eventSourceArn: "arn:aws:sqs:us-east-1:123456789012:\(queue)", batchSize: 100,
            maximumBatchingWindowInSeconds: 5, enabled: false, filterPatterns: [#"{"body": ["x"]}"#],
            reportsBatchItemFailures: true, maximumConcurrency: 7,
            lastModified: Date(timeIntervalSince1970: 1_764_000_000.25))
    }

    @Test func aMappingSurvivesReopeningTheStore() throws {
        try withTemporaryDirectory { folder in
            let original = mapping("a")
            try SQLiteStore(path: folder + "/state.db").putEventSourceMapping(original) { _ in }
            let reopened = try SQLiteStore(path: folder + "/state.db")
            #expect(try reopened.eventSourceMappings() == [original])
        }
    }

    @Test func theCheckSeesTheOtherMappingsAndCanRefuse() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteStore(path: folder + "/state.db")
            try store.putEventSourceMapping(mapping("a")) { others in #expect(others.isEmpty) }
            try store.putEventSourceMapping(mapping("b", queue: "other")) { others in
                #expect(others.map(\.uuid) == ["a"])
            }
            var updated = mapping("a")
            updated.batchSize = 3
            try store.putEventSourceMapping(updated) { others in #expect(others.map(\.uuid) == ["b"]) }
            #expect(throws: Conflict.self) { try store.putEventSourceMapping(mapping("c")) { _ in throw Conflict() } }
            #expect(try store.eventSourceMappings().map(\.uuid) == ["a", "b"])
            #expect(try store.eventSourceMappings().first?.batchSize == 3)
        }
    }

    @Test func deletingReturnsTheMappingOnce() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteStore(path: folder + "/state.db")
            try store.putEventSourceMapping(mapping("a")) { _ in }
            #expect(try store.deleteEventSourceMapping(uuid: "a")?.uuid == "a")
            #expect(try store.deleteEventSourceMapping(uuid: "a") == nil)
            #expect(try store.eventSourceMappings().isEmpty)
        }
    }
}
