import Foundation
import Testing

@testable import SwiftletStore

@Suite("SQLite LogStore")
struct LogStoreTests {
    static let account = "123456789012"
    static let region = "us-east-1"
    static let day: Int64 = 86_400_000

    private func withStore(_ body: (SQLiteStore) throws -> Void) throws {
        try withTemporaryDirectory { folder in try body(try SQLiteStore(path: folder + "/state.db")) }
    }

    private func batch(_ group: String, _ stream: String, _ events: [(Int64, String)]) -> LogBatch {
        LogBatch(
            accountId: Self.account, region: Self.region, group: group, stream: stream,
            events: events.map { LogLine(timestamp: $0.0, message: $0.1) })
    }

    private func query(
        _ group: String, streams: [String]? = nil, prefix: String? = nil, start: Int64? = nil, end: Int64? = nil,
        after: (timestamp: Int64, id: Int64)? = nil, limit: Int = 100, descending: Bool = false
    ) -> LogEventQuery {
        LogEventQuery(
            accountId: Self.account, region: Self.region, group: group, streams: streams, streamPrefix: prefix,
            start: start, end: end, after: after, limit: limit, descending: descending)
    }

    @Test func appendCreatesGroupsAndStreamsAndKeepsEventsPerStream() throws {
        try withStore { store in
            try store.append(
                [
                    batch("g", "a", [(10, "a1"), (30, "a2")]), batch("g", "b", [(20, "b1")]),
                    batch("h", "a", [(5, "h")]),
                ],
                ingestionTime: 1000)

            let all = try store.events(query("g"))
            let onlyB = try store.events(query("g", streams: ["b"]))
            let streams = try store.logStreams(
                accountId: Self.account, region: Self.region, group: "g", prefix: nil, orderByLastEvent: false,
                descending: false, skip: 0, limit: 10)

            #expect(all.map(\.message) == ["a1", "b1", "a2"])
            #expect(all.map(\.stream) == ["a", "b", "a"])
            #expect(all.allSatisfy { $0.ingestionTime == 1000 })
            #expect(onlyB.map(\.message) == ["b1"])
            #expect(streams.map(\.name) == ["a", "b"])
            #expect(streams.first?.firstEventTimestamp == 10)
            #expect(streams.first?.lastEventTimestamp == 30)
            #expect(streams.first?.lastIngestionTime == 1000)
            #expect(streams.first?.storedBytes == 4)
            #expect(try store.logGroup(accountId: Self.account, region: Self.region, name: "h")?.storedBytes == 1)
        }
    }

    @Test func eventsWithEqualTimestampsKeepArrivalOrder() throws {
        try withStore { store in
            try store.append([batch("g", "s", [(7, "first"), (7, "second")])], ingestionTime: 1)
            try store.append([batch("g", "s", [(7, "third")])], ingestionTime: 2)

            let ascending = try store.events(query("g"))
            let descending = try store.events(query("g", descending: true))

            #expect(ascending.map(\.message) == ["first", "second", "third"])
            #expect(descending.map(\.message) == ["third", "second", "first"])
            #expect(ascending.map(\.id) == ascending.map(\.id).sorted())
        }
    }

    @Test func eventsHonourTimeBoundsPrefixAndAfterInBothDirections() throws {
        try withStore { store in
            try store.append(
                [batch("g", "web-1", [(1, "w1"), (3, "w3")]), batch("g", "api", [(2, "a2"), (4, "a4")])],
                ingestionTime: 9)
            let all = try store.events(query("g"))
            let second = all[1]

            let window = try store.events(query("g", start: 2, end: 4))
            let prefixed = try store.events(query("g", prefix: "web"))
            let afterSecond = try store.events(query("g", after: (second.timestamp, second.id), limit: 1))
            let beforeSecond = try store.events(query("g", after: (second.timestamp, second.id), descending: true))

            #expect(window.map(\.message) == ["a2", "w3"])
            #expect(prefixed.map(\.message) == ["w1", "w3"])
            #expect(afterSecond.map(\.message) == ["w3"])
            #expect(beforeSecond.map(\.message) == ["w1"])
            #expect(try store.events(query("g", streams: [])).isEmpty)
        }
    }

    @Test func groupsAreListedByPrefixAndPagedByName() throws {
        try withStore { store in
            for name in ["/aws/lambda/b", "/aws/lambda/a", "/other"] {
                try store.createLogGroup(accountId: Self.account, region: Self.region, name: name, creationTime: 5)
            }

            let first = try store.logGroups(
                accountId: Self.account, region: Self.region, prefix: "/aws/", after: nil, limit: 1)
            let next = try store.logGroups(
                accountId: Self.account, region: Self.region, prefix: "/aws/", after: first.last?.name, limit: 5)
            let otherRegion = try store.logGroups(
                accountId: Self.account, region: "eu-west-1", prefix: nil, after: nil, limit: 5)

            #expect(first.map(\.name) == ["/aws/lambda/a"])
            #expect(next.map(\.name) == ["/aws/lambda/b"])
            #expect(otherRegion.isEmpty)
        }
    }

    @Test func creatingTwiceOrInAMissingGroupThrows() throws {
        try withStore { store in
            try store.createLogGroup(accountId: Self.account, region: Self.region, name: "g", creationTime: 1)
            try store.createLogStream(
                accountId: Self.account, region: Self.region, group: "g", name: "s", creationTime: 1)

            #expect(throws: StoreError.alreadyExists) {
                try store.createLogGroup(accountId: Self.account, region: Self.region, name: "g", creationTime: 1)
            }
            #expect(throws: StoreError.alreadyExists) {
                try store.createLogStream(
                    accountId: Self.account, region: Self.region, group: "g", name: "s", creationTime: 1)
            }
            #expect(throws: StoreError.notFound) {
                try store.createLogStream(
                    accountId: Self.account, region: Self.region, group: "none", name: "s", creationTime: 1)
            }
        }
    }

    @Test func singleStreamLookupMatchesTheExactNameOnly() throws {
        try withStore { store in
            try store.append([batch("g", "web-10", [(1, "x")]), batch("g", "web-1", [(1, "y")])], ingestionTime: 1)

            let found = try store.logStream(accountId: Self.account, region: Self.region, group: "g", name: "web-1")
            let missing = try store.logStream(accountId: Self.account, region: Self.region, group: "g", name: "web")

            #expect(found?.name == "web-1")
            #expect(missing == nil)
        }
    }

    @Test func streamsOrderByLastEventAndPageBySkip() throws {
        try withStore { store in
            try store.append(
                [batch("g", "a", [(30, "x")]), batch("g", "b", [(10, "x")]), batch("g", "c", [(20, "x")])],
                ingestionTime: 1)

            let byTime = try store.logStreams(
                accountId: Self.account, region: Self.region, group: "g", prefix: nil, orderByLastEvent: true,
                descending: false, skip: 0, limit: 10)
            let secondPage = try store.logStreams(
                accountId: Self.account, region: Self.region, group: "g", prefix: nil, orderByLastEvent: false,
                descending: true, skip: 1, limit: 1)

            #expect(byTime.map(\.name) == ["b", "c", "a"])
            #expect(secondPage.map(\.name) == ["b"])
        }
    }

    @Test func expiryDeletesOnlyEventsOlderThanTheirGroupsRetention() throws {
        try withStore { store in
            let now = 100 * Self.day
            try store.append(
                [
                    batch("short", "s", [(now - 2 * Self.day, "old"), (now - Self.day + 1, "young")]),
                    batch("long", "s", [(now - 2 * Self.day, "kept")]),
                    batch("forever", "s", [(0, "ancient")]),
                ], ingestionTime: now)
            #expect(try store.setRetention(accountId: Self.account, region: Self.region, group: "short", days: 1))
            #expect(try store.setRetention(accountId: Self.account, region: Self.region, group: "long", days: 3))

            let deleted = try store.expireEvents(now: now)

            #expect(deleted == 1)
            #expect(try store.events(query("short")).map(\.message) == ["young"])
            #expect(try store.events(query("long")).map(\.message) == ["kept"])
            #expect(try store.events(query("forever")).map(\.message) == ["ancient"])
            #expect(try store.logGroup(accountId: Self.account, region: Self.region, name: "short")?.retentionDays == 1)
            #expect(try store.logGroup(accountId: Self.account, region: Self.region, name: "short")?.storedBytes == 5)
            #expect(try store.logGroup(accountId: Self.account, region: Self.region, name: "long")?.storedBytes == 4)
        }
    }

    @Test func clearedRetentionStopsExpiry() throws {
        try withStore { store in
            try store.append([batch("g", "s", [(0, "ancient")])], ingestionTime: 0)
            _ = try store.setRetention(accountId: Self.account, region: Self.region, group: "g", days: 1)
            _ = try store.setRetention(accountId: Self.account, region: Self.region, group: "g", days: nil)

            #expect(try store.expireEvents(now: 10 * Self.day) == 0)
            #expect(try store.logGroup(accountId: Self.account, region: Self.region, name: "g")?.retentionDays == nil)
            #expect(try !store.setRetention(accountId: Self.account, region: Self.region, group: "none", days: 1))
        }
    }

    @Test func deletingAGroupRemovesItsStreamsAndEventsOnly() throws {
        try withStore { store in
            try store.append([batch("g", "s", [(1, "gone")]), batch("h", "s", [(1, "stays")])], ingestionTime: 1)

            #expect(try store.deleteLogGroup(accountId: Self.account, region: Self.region, name: "g"))
            #expect(try !store.deleteLogGroup(accountId: Self.account, region: Self.region, name: "g"))

            #expect(try store.logGroup(accountId: Self.account, region: Self.region, name: "g") == nil)
            #expect(try store.events(query("g")).isEmpty)
            #expect(try store.events(query("h")).map(\.message) == ["stays"])
            try store.createLogGroup(accountId: Self.account, region: Self.region, name: "g", creationTime: 2)
            let streams = try store.logStreams(
                accountId: Self.account, region: Self.region, group: "g", prefix: nil, orderByLastEvent: false,
                descending: false, skip: 0, limit: 10)
            #expect(streams.isEmpty)
        }
    }
}
