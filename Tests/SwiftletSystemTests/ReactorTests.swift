import Foundation
import SwiftletSystem
import Synchronization
import Testing

/// A pipe whose two ends are closed when the test is done with them.
final class TestPipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SystemError("pipe") }
        readEnd = ends[0]
        writeEnd = ends[1]
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
    }

    func write(_ text: String) {
        _ = text.withCString { Foundation.write(writeEnd, $0, strlen($0)) }
    }

    /// Reads what is there without blocking.
    func drain() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var text = ""
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(readEnd, $0.baseAddress, $0.count) }
            guard count > 0 else { return text }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}

/// Counts calls and keeps what the handler read.
final class HandlerLog: Sendable {
    private let state = Mutex<(calls: Int, text: String)>((0, ""))

    func record(_ text: String) {
        state.withLock {
            $0.calls += 1; $0.text += text
        }
    }
    var calls: Int { state.withLock { $0.calls } }
    var text: String { state.withLock { $0.text } }
}

/// Calls `condition` every 5 ms until it holds or `seconds` pass.
func eventually(within seconds: Double = 2, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

@Suite("Reactor")
struct ReactorTests {
    static func makeReactor() throws -> Reactor {
        try Reactor(name: "reactor-test", logger: Logger(label: "test", sink: MemoryLogSink()))
    }

    @Test func handlerIsCalledWhenTheWatchedPipeIsWritten() throws {
        let reactor = try Self.makeReactor()
        defer { reactor.stop() }
        let pipe = try TestPipe()
        let log = HandlerLog()
        try reactor.watch(pipe.readEnd) { _ in
            log.record(pipe.drain())
            return true
        }

        pipe.write("one")
        #expect(eventually { log.text == "one" })
        pipe.write("two")
        #expect(eventually { log.text == "onetwo" })
        reactor.remove(pipe.readEnd)
    }

    @Test func handlerReturningFalseIsNotCalledAgain() throws {
        let reactor = try Self.makeReactor()
        defer { reactor.stop() }
        let pipe = try TestPipe()
        let log = HandlerLog()
        try reactor.watch(pipe.readEnd) { _ in
            log.record(pipe.drain())
            return false
        }

        pipe.write("first")
        #expect(eventually { log.calls == 1 })
        pipe.write("second")
        usleep(100_000)

        #expect(log.calls == 1)
        #expect(log.text == "first")
    }

    @Test func removedDescriptorIsNoLongerWatched() throws {
        let reactor = try Self.makeReactor()
        defer { reactor.stop() }
        let pipe = try TestPipe()
        let log = HandlerLog()
        try reactor.watch(pipe.readEnd) { _ in
            log.record(pipe.drain())
            return true
        }

        reactor.remove(pipe.readEnd)
        pipe.write("ignored")
        usleep(100_000)

        #expect(log.calls == 0)
    }

    @Test func hangUpOfTheWriteEndWakesTheHandler() throws {
        let reactor = try Self.makeReactor()
        defer { reactor.stop() }
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let log = HandlerLog()
        try reactor.watch(ends[0]) { _ in
            log.record("")
            return false
        }

        close(ends[1])

        #expect(eventually { log.calls == 1 })
    }

    @Test func watchingAClosedDescriptorThrows() throws {
        let reactor = try Self.makeReactor()
        defer { reactor.stop() }
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        close(ends[1])

        #expect(throws: SystemError.self) { try reactor.watch(ends[0]) { _ in true } }
    }

    @Test func stopEndsTheThread() throws {
        var reactor: Reactor? = try Self.makeReactor()
        weak let released = reactor

        reactor?.stop()
        reactor = nil

        // The thread holds the reactor while it runs; once it has returned, nothing does.
        #expect(eventually { released == nil })
    }

    @Test func reactorStaysAliveWhileItsThreadRuns() throws {
        var reactor: Reactor? = try Self.makeReactor()
        weak let released = reactor

        reactor = nil
        usleep(50_000)

        #expect(released != nil)
        released?.stop()
        #expect(eventually { released == nil })
    }
}
