import Dispatch
import Foundation
import SwiftletHTTP
import SwiftletSystem
import Synchronization

/// A handler made of a closure, so each test states its server's behaviour inline.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest, HTTPResponder) -> Void

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        body(request, responder)
    }
}

/// Starts a server on 127.0.0.1 and a free port, runs `body` with it and a client pointed at it, and stops it.
func withServer<Result>(
    threads: Int = 2, maxBodyBytes: Int = 1_048_576,
    handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void,
    _ body: (HTTPServer, HTTPClient) throws -> Result
) throws -> Result {
    var configuration = HTTPServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.threads = threads
    configuration.maxBodyBytes = maxBodyBytes
    let server = try HTTPServer(
        configuration: configuration, handler: ClosureHandler(body: handler),
        logger: Logger(label: "test.http", sink: MemoryLogSink()))
    defer { server.stop() }
    var client = try HTTPClient(baseURL: "http://127.0.0.1:\(server.port)")
    client.timeout = 10
    return try body(server, client)
}

/// Work started on a thread of its own, whose result a test waits for.
///
/// A dedicated thread rather than a dispatch queue: blocking clients on the global queues would starve the
/// handlers that answer from those queues.
final class Background<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> Value) {
        Thread.detachNewThread {
            let outcome = Result { try work() }
            self.result.withLock { $0 = outcome }
            self.done.signal()
        }
    }

    /// The result, or a timeout error after `seconds`.
    func value(within seconds: Double = 10) throws -> Value {
        guard done.wait(timeout: .now() + seconds) == .success else { throw TimedOut() }
        return try result.withLock { $0! }.get()
    }

    /// True once the work has finished.
    var isFinished: Bool { result.withLock { $0 != nil } }
}

struct TimedOut: Error {}

/// A value set by one thread and read by another.
final class Box<Value: Sendable>: Sendable {
    private let stored: Mutex<Value>

    init(_ value: Value) { stored = Mutex(value) }

    var value: Value {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }

    func update<Result>(_ change: (inout Value) -> Result) -> Result {
        stored.withLock { change(&$0) }
    }
}

/// A plain-text 200 answer.
func ok(_ text: String) -> HTTPResponse {
    .text(200, text)
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension Result {
    /// The error, when there is one.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
