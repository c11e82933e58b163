import Foundation
import SwiftletModel
import SwiftletStore
import SwiftletSystem
import Synchronization

@testable import SwiftletHTTP
@testable import SwiftletServices

/// A Logs API over a real SQLite store in a temporary directory, with a clock the test moves.
final class LogsFixture: Sendable {
    static let account = "000000000000"
    static let region = "us-east-1"
    /// 2026-01-01T00:00:00Z, where every fixture's clock starts.
    static let start: Int64 = 1_767_225_600_000

    let folder: String
    let store: SQLiteStore
    let api: LogsAPI
    let logs: MemoryLogSink
    private let clock: TestClock

    init(folder: String) throws {
        self.folder = folder
        store = try SQLiteStore(path: folder + "/state.db")
        logs = MemoryLogSink()
        let clock = TestClock(Self.start)
        self.clock = clock
        api = LogsAPI(
            configuration: LogsServiceConfiguration(accountId: Self.account, region: Self.region), store: store,
            logger: Logger(label: "test.logs", sink: logs), clock: { clock.now })
    }

    /// The fixture's current time, ms.
    var time: Int64 { clock.now }

    /// Moves the clock forward by `milliseconds`.
    func advance(_ milliseconds: Int64) { clock.advance(milliseconds) }

    /// Sends `operation` with `body` through ``LogsAPI/handle(_:responder:)`` and returns what it answered.
    func call(
        _ operation: String, _ body: JSONValue = .object([]), region: String? = nil,
        target: String? = nil
    ) -> Answer {
        var headers = HTTPHeaders([
            ("X-Amz-Target", target ?? "Logs_20140328.\(operation)"),
            ("Content-Type", "application/x-amz-json-1.1"),
        ])
        if let region {
            headers.add(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/\(region)/logs/aws4_request, SignedHeaders=host, "
                    + "Signature=0")
        }
        let request = HTTPRequest(method: "POST", path: "/", headers: headers, body: Data(body.serialized()))
        return send(request)
    }

    /// Sends a raw request through ``LogsAPI/handle(_:responder:)``.
    func send(_ request: HTTPRequest) -> Answer {
        let responder = HTTPResponder(connection: nil)
        api.handle(request, responder: responder)
        guard let response = responder.handlerReturned() else {
            return Answer(response: HTTPResponse(status: 0), json: .null)
        }
        let json = response.body.isEmpty ? JSONValue.null : ((try? JSONValue.parse(response.body)) ?? .null)
        return Answer(response: response, json: json)
    }

    /// Calls an operation that must succeed and returns its body.
    @discardableResult
    func ok(_ operation: String, _ body: JSONValue = .object([])) throws -> JSONValue {
        let answer = call(operation, body)
        guard answer.status == 200 else { throw UnexpectedAnswer(operation: operation, answer: answer) }
        return answer.json
    }

    /// Creates a group and a stream in it.
    func makeStream(_ group: String, _ stream: String) throws {
        if try store.logGroup(accountId: Self.account, region: Self.region, name: group) == nil {
            try ok("CreateLogGroup", ["logGroupName": .string(group)])
        }
        try ok("CreateLogStream", ["logGroupName": .string(group), "logStreamName": .string(stream)])
    }

    /// Puts messages into a stream at the given timestamps.
    func put(_ group: String, _ stream: String, _ events: [(Int64, String)]) throws {
        try ok(
            "PutLogEvents",
            [
                "logGroupName": .string(group), "logStreamName": .string(stream),
                "logEvents": .array(
                    events.map { .object([("timestamp", .integer($0.0)), ("message", .string($0.1))]) }),
            ])
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let value: Atomic<Int64>

    init(_ start: Int64) {
        value = Atomic(start)
    }

    var now: Int64 { value.load(ordering: .relaxed) }

    func advance(_ milliseconds: Int64) { value.add(milliseconds, ordering: .relaxed) }
}

/// A response with its body parsed.
struct Answer {
    let response: HTTPResponse
    let json: JSONValue

    var status: Int { response.status }
    var errorType: String? { response.headers["x-amzn-ErrorType"] }
    var message: String? { json["message"]?.stringValue }
    var bodyType: String? { json["__type"]?.stringValue }
}

struct UnexpectedAnswer: Error, CustomStringConvertible {
    let operation: String
    let answer: Answer

    var description: String {
        "\(operation) answered \(answer.status): \(String(decoding: answer.response.body, as: UTF8.self))"
    }
}

/// Runs `body` with a fresh fixture and removes its folder afterwards.
func withLogs<Result>(_ body: (LogsFixture) throws -> Result) throws -> Result {
    let folder = NSTemporaryDirectory() + "swiftlet-logs-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(try LogsFixture(folder: folder))
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements)
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}

extension JSONValue {
    /// The array's items, or an empty list.
    var items: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var int64: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The `message` of each event in an `events` list.
    var messages: [String] { self["events"]?.items.compactMap { $0["message"]?.stringValue } ?? [] }
}
