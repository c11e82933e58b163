import Foundation
import Testing

@testable import SwiftletSystem

@Suite("Logger")
struct LoggerTests {
    @Test func eventsBelowTheLevelAreDropped() {
        let sink = MemoryLogSink()
        let logger = Logger(label: "test", level: .info, sink: sink)
        logger.debug("hidden")
        logger.info("shown")
        logger.error("also shown")
        #expect(sink.recorded.map(\.message) == ["shown", "also shown"])
        #expect(sink.recorded.map(\.level) == [.info, .error])
    }

    @Test func messagesOfDroppedEventsAreNeverBuilt() {
        let sink = MemoryLogSink()
        let logger = Logger(label: "test", level: .warning, sink: sink)
        var built = false
        func expensive() -> String {
            built = true
            return "expensive"
        }
        logger.debug(expensive())
        #expect(!built)
        #expect(!logger.enabled(.info))
        #expect(logger.enabled(.error))
    }

    @Test func childExtendsTheLabelAndKeepsMetadataLevelAndSink() {
        let sink = MemoryLogSink()
        var parent = Logger(label: "swiftlet", level: .debug, sink: sink)
        parent.metadata = [("node.id", "n1")]
        let child = parent.child("http")
        child.debug("request", [("http.status", "200")])
        let event = sink.recorded.first
        #expect(event?.label == "swiftlet.http")
        #expect(event?.fields.map(\.0) == ["node.id", "http.status"])
        #expect(event?.fields.map(\.1) == ["n1", "200"])
    }

    @Test func formattedLineQuotesValuesThatNeedIt() {
        let event = LogEvent(
            level: .warning, label: "swiftlet.store", message: "slow",
            fields: [("plain", "value"), ("spaced", "a b"), ("quoted", "say \"hi\""), ("empty", ""), ("eq", "a=b")])
        #expect(
            event.formatted(at: Date(timeIntervalSince1970: 0))
                == "1970-01-01T00:00:00.000Z warning swiftlet.store: slow plain=value spaced=\"a b\" "
                + "quoted=\"say \\\"hi\\\"\" empty=\"\" eq=\"a=b\"")
    }

    @Test(arguments: [("debug", Logger.Level.debug), ("INFO", .info), ("Critical", .critical)])
    func levelNamesParseWithoutRegardToCase(name: String, level: Logger.Level) {
        #expect(Logger.Level(name: name) == level)
    }

    @Test func unknownLevelNameIsRefused() {
        #expect(Logger.Level(name: "verbose") == nil)
    }

    @Test func levelsAreOrderedFromTraceToCritical() {
        #expect(Logger.Level.allCases.sorted() == Logger.Level.allCases)
        #expect(Logger.Level.trace < .critical)
    }

    @Test func memorySinkKeepsEventsFromConcurrentWriters() {
        let sink = MemoryLogSink()
        let logger = Logger(label: "test", sink: sink)
        DispatchQueue.concurrentPerform(iterations: 200) { index in
            logger.info("event \(index)")
        }
        #expect(sink.recorded.count == 200)
    }
}
