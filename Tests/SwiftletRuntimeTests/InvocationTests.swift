import Foundation
import SwiftletModel
import SwiftletSystem
import Synchronization
import Testing

@testable import SwiftletRuntime

/// Collects what a completion was called with.
final class CompletionRecorder: Sendable {
    private let results = Mutex<[InvocationResult]>([])

    var completion: @Sendable (InvocationResult) -> Void {
        { result in self.results.withLock { $0.append(result) } }
    }

    var recorded: [InvocationResult] { results.withLock { $0 } }
}

/// A request for a made-up function.
func invocationRequest(version: String = "$LATEST", wantsLogTail: Bool = false) -> InvocationRequest {
    let configuration = FunctionConfiguration(
        name: "tests", runtime: "provided.al2023", role: "arn:aws:iam::123456789012:role/r", handler: "h",
        code: CodeDescriptor(sha256Hex: "", sha256Base64: "", size: 0, unpackedSize: 0), version: version)
    return InvocationRequest(
        accountId: "123456789012", region: "us-east-1", configuration: configuration,
        invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:tests", payload: Data("{}".utf8),
        wantsLogTail: wantsLogTail)
}

@Suite("Invocation")
struct InvocationTests {
    @Test func finishCallsCompletionOnceWithTheFirstAnswer() {
        let recorder = CompletionRecorder()
        let invocation = Invocation(request: invocationRequest(version: "3"), completion: recorder.completion)

        invocation.finish(payload: Data("first".utf8), functionError: nil)
        invocation.finish(payload: Data("second".utf8), functionError: "Unhandled")

        #expect(recorder.recorded.count == 1)
        #expect(recorder.recorded.first?.payload == Data("first".utf8))
        #expect(recorder.recorded.first?.functionError == nil)
        #expect(recorder.recorded.first?.requestId == invocation.id)
        #expect(recorder.recorded.first?.executedVersion == "3")
        #expect(invocation.isFinished)
    }

    @Test func finishFromManyThreadsAtOnceCallsCompletionOnce() {
        let recorder = CompletionRecorder()
        let invocation = Invocation(request: invocationRequest(), completion: recorder.completion)

        DispatchQueue.concurrentPerform(iterations: 16) { index in
            invocation.finish(payload: Data("\(index)".utf8), functionError: nil)
        }

        #expect(recorder.recorded.count == 1)
    }

    @Test func failAnswersWithAnErrorDocumentMarkedUnhandled() throws {
        let recorder = CompletionRecorder()
        let invocation = Invocation(request: invocationRequest(), completion: recorder.completion)

        invocation.fail(type: "Runtime.ExitError", message: "Runtime exited with error: exit status 1")

        let result = try #require(recorder.recorded.first)
        #expect(result.functionError == "Unhandled")
        let document = try #require(try JSONSerialization.jsonObject(with: result.payload) as? [String: String])
        #expect(
            document == ["errorType": "Runtime.ExitError", "errorMessage": "Runtime exited with error: exit status 1"])
    }

    @Test func logTailHoldsRecordedLinesInOrderAsBase64() throws {
        let recorder = CompletionRecorder()
        let invocation = Invocation(request: invocationRequest(wantsLogTail: true), completion: recorder.completion)

        invocation.recordLine("START RequestId: x")
        invocation.recordLine("hello")
        invocation.recordLine("END RequestId: x")
        invocation.finish(payload: Data(), functionError: nil)

        let tail = try #require(recorder.recorded.first?.logTail)
        let text = String(decoding: try #require(Data(base64Encoded: tail)), as: UTF8.self)
        #expect(text == "START RequestId: x\nhello\nEND RequestId: x\n")
    }

    @Test func logTailIsTheLast4096BytesOfALongLog() throws {
        let recorder = CompletionRecorder()
        let invocation = Invocation(request: invocationRequest(wantsLogTail: true), completion: recorder.completion)
        let lines = (0..<300).map { "line \($0) " + String(repeating: "x", count: 40) }

        for line in lines { invocation.recordLine(line) }
        invocation.finish(payload: Data(), functionError: nil)

        let tail = try #require(recorder.recorded.first?.logTail)
        let bytes = try #require(Data(base64Encoded: tail))
        let whole = Data(lines.map { $0 + "\n" }.joined().utf8)
        #expect(bytes.count == 4096)
        #expect(bytes == whole.suffix(4096))
    }

    @Test func noLogTailUnlessAsked() throws {
        let recorder = CompletionRecorder()
        let invocation = Invocation(request: invocationRequest(wantsLogTail: false), completion: recorder.completion)

        invocation.recordLine("hello")
        invocation.finish(payload: Data(), functionError: nil)

        #expect(try #require(recorder.recorded.first).logTail == nil)
    }

    @Test func traceIdHasXRayShapeWithTheCurrentTime() throws {
        let traceId = Invocation.makeTraceId()

        #expect(matches(traceId, "Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0"))
        let seconds = try #require(UInt32(traceId.dropFirst("Root=1-".count).prefix(8), radix: 16))
        #expect(abs(Double(seconds) - Date().timeIntervalSince1970) < 5)
    }

    @Test func everyInvocationHasItsOwnIdAndTraceId() {
        let first = Invocation(request: invocationRequest(), completion: { _ in })
        let second = Invocation(request: invocationRequest(), completion: { _ in })

        #expect(first.id != second.id)
        #expect(first.traceId != second.traceId)
        #expect(matches(first.id, "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))
    }
}
