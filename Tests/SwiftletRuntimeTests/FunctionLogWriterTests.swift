import Foundation
import SwiftletStore
import SwiftletSystem
import Testing

@testable import SwiftletRuntime

@Suite("FunctionLogWriter")
struct FunctionLogWriterTests {
    static let account = "123456789012"
    static let region = "us-east-1"
    static let group = "/aws/lambda/writer"

    static func messages(in store: SQLiteStore, stream: String) throws -> [String] {
        try store.events(
            LogEventQuery(accountId: account, region: region, group: group, streams: [stream], limit: 1000)
        ).map(\.message)
    }

    static func append(_ writer: FunctionLogWriter, _ stream: String, _ messages: [String], at timestamp: Int64) {
        writer.append(
            accountId: account, region: region, group: group, stream: stream,
            lines: messages.map { LogLine(timestamp: timestamp, message: $0) })
    }

    @Test func flushStoresEveryLineInOrderGroupedByStream() throws {
        try withTemporaryDirectory { root in
            let store = try SQLiteStore(path: "\(root)/logs.db")
            let writer = FunctionLogWriter(
                store: store, logger: Logger(label: "test", sink: MemoryLogSink()), interval: .seconds(60))
            defer { writer.close() }

            Self.append(writer, "stream-a", ["a1", "a2"], at: 1_000)
            Self.append(writer, "stream-b", ["b1"], at: 1_000)
            Self.append(writer, "stream-a", ["a3"], at: 1_001)
            Self.append(writer, "stream-b", ["b2", "b3"], at: 1_002)
            writer.flush()

            #expect(try Self.messages(in: store, stream: "stream-a") == ["a1", "a2", "a3"])
            #expect(try Self.messages(in: store, stream: "stream-b") == ["b1", "b2", "b3"])
        }
    }

    @Test func nothingIsStoredBeforeAFlush() throws {
        try withTemporaryDirectory { root in
            let store = try SQLiteStore(path: "\(root)/logs.db")
            let writer = FunctionLogWriter(
                store: store, logger: Logger(label: "test", sink: MemoryLogSink()), interval: .seconds(60))
            defer { writer.close() }

            Self.append(writer, "stream-a", ["a1"], at: 1_000)

            #expect(try Self.messages(in: store, stream: "stream-a").isEmpty)
            writer.flush()
            #expect(try Self.messages(in: store, stream: "stream-a") == ["a1"])
        }
    }

    @Test func theTimerFlushesWithoutBeingAsked() throws {
        try withTemporaryDirectory { root in
            let store = try SQLiteStore(path: "\(root)/logs.db")
            let writer = FunctionLogWriter(
                store: store, logger: Logger(label: "test", sink: MemoryLogSink()), interval: .milliseconds(20))
            defer { writer.close() }

            Self.append(writer, "stream-a", ["a1", "a2"], at: 1_000)

            #expect(eventually { (try? Self.messages(in: store, stream: "stream-a")) == ["a1", "a2"] })
        }
    }

    @Test func reachingMaxPendingFlushesWithoutWaitingForTheTimer() throws {
        try withTemporaryDirectory { root in
            let store = try SQLiteStore(path: "\(root)/logs.db")
            let writer = FunctionLogWriter(
                store: store, logger: Logger(label: "test", sink: MemoryLogSink()), interval: .seconds(60),
                maxPending: 3)
            defer { writer.close() }

            Self.append(writer, "stream-a", ["a1", "a2", "a3"], at: 1_000)

            #expect(eventually { (try? Self.messages(in: store, stream: "stream-a"))?.count == 3 })
        }
    }

    @Test func closeFlushesWhatIsPending() throws {
        try withTemporaryDirectory { root in
            let store = try SQLiteStore(path: "\(root)/logs.db")
            let writer = FunctionLogWriter(
                store: store, logger: Logger(label: "test", sink: MemoryLogSink()), interval: .seconds(60))

            Self.append(writer, "stream-a", ["last words"], at: 1_000)
            writer.close()

            #expect(try Self.messages(in: store, stream: "stream-a") == ["last words"])
        }
    }
}
