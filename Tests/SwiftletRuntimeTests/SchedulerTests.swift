import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem
import Synchronization
import Testing

@testable import SwiftletRuntime

/// The scheduler end to end: a real Runtime API over loopback sockets, real child processes watched by the reactor,
/// and a runtime client played by a thread of the test.
@Suite("Scheduler", .serialized, .timeLimit(.minutes(1)))
struct SchedulerTests {
    static let echo = RuntimeScript.answering { event in "echo:" + String(decoding: event.body, as: UTF8.self) }

    @Test func invocationIsDeliveredWithRuntimeHeadersAndAnsweredWithTheRuntimesResponse() async throws {
        try await withScheduler(Self.echo) { harness in
            let configuration = harness.configuration("deliver")
            let before = Int64(Date().timeIntervalSince1970 * 1000)

            let result = await harness.invoke(configuration, payload: #"{"n":1}"#)

            #expect(result.payload == Data(#"echo:{"n":1}"#.utf8))
            #expect(result.functionError == nil)
            #expect(result.executedVersion == "$LATEST")
            let event = try #require(harness.sandbox.events.first)
            #expect(event.requestId == result.requestId)
            #expect(event.body == Data(#"{"n":1}"#.utf8))
            #expect(
                event.headers["Lambda-Runtime-Invoked-Function-Arn"]
                    == "arn:aws:lambda:us-east-1:123456789012:function:deliver")
            let deadline = try #require(event.headers["Lambda-Runtime-Deadline-Ms"].flatMap { Int64($0) })
            #expect(deadline > before)
            #expect(deadline <= Int64(Date().timeIntervalSince1970 * 1000) + 3_000)
            let trace = try #require(event.headers["Lambda-Runtime-Trace-Id"])
            #expect(matches(trace, "Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0"))
        }
    }

    @Test func environmentGetsLambdasVariablesAndItsOwnRuntimeEndpoint() async throws {
        try await withScheduler(Self.echo) { harness in
            let configuration = harness.configuration("variables")

            _ = await harness.invoke(configuration)

            let spec = try #require(harness.sandbox.specs.first)
            let variables = spec.environment
            #expect(matches(variables["AWS_LAMBDA_RUNTIME_API"] ?? "", #"127\.0\.0\.1:\d+"#))
            #expect(variables["AWS_LAMBDA_FUNCTION_NAME"] == "variables")
            #expect(variables["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST")
            #expect(variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256")
            #expect(variables["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/variables")
            #expect(variables["_HANDLER"] == "function.handler")
            #expect(variables["LAMBDA_TASK_ROOT"] == spec.codeDirectory)
            #expect(variables["AWS_REGION"] == "us-east-1")
            #expect(variables["GREETING"] == "hello")
            #expect(matches(variables["AWS_ACCESS_KEY_ID"] ?? "", "ASIA[A-Z2-7]{16}"))
            #expect(variables["TMPDIR"] == spec.temporaryDirectory)
            #expect(spec.temporaryDirectory.hasPrefix(harness.workDirectory + "/"))
            #expect(spec.executable == spec.codeDirectory + "/bootstrap")
            #expect(spec.memoryMB == 256)
        }
    }

    @Test func logHoldsPlatformLinesAroundTheFunctionsOutput() async throws {
        let script = RuntimeScript { client, event in
            client.print("hello from the handler")
            client.respond(to: event.requestId, "ok")
            return true
        }
        try await withScheduler(script) { harness in
            let configuration = harness.configuration("logs")

            let result = await harness.invoke(configuration)

            let id = result.requestId
            let tail = result.tailLines
            #expect(tail.count == 4)
            #expect(tail.first == "START RequestId: \(id) Version: $LATEST")
            #expect(tail.dropFirst().first == "hello from the handler")
            #expect(tail.dropFirst(2).first == "END RequestId: \(id)")
            let report = try #require(tail.last)
            #expect(report.hasPrefix("REPORT RequestId: \(id)\tDuration: "))
            #expect(report.contains("\tMemory Size: 256 MB\tMax Memory Used: 42 MB\tInit Duration: "))
            let stored = try harness.logLines(of: configuration)
            #expect(stored.first?.hasPrefix("INIT_START Runtime Version: provided:al2023\t") == true)
            #expect(Array(stored.suffix(4)) == tail)
        }
    }

    @Test func secondInvocationReusesTheWarmEnvironment() async throws {
        try await withScheduler(Self.echo) { harness in
            let configuration = harness.configuration("warm")

            let first = await harness.invoke(configuration, payload: "1")
            let second = await harness.invoke(configuration, payload: "2")

            #expect(first.payload == Data("echo:1".utf8))
            #expect(second.payload == Data("echo:2".utf8))
            #expect(harness.sandbox.startCount == 1)
            #expect(harness.scheduler.environmentCount == 1)
            #expect(first.tailLines.last?.contains("Init Duration") == true)
            #expect(second.tailLines.last?.contains("Init Duration") == false)
        }
    }

    @Test func concurrentInvocationsRunInSeparateEnvironments() async throws {
        let script = RuntimeScript { client, event in
            usleep(200_000)
            client.respond(to: event.requestId, "done")
            return true
        }
        try await withScheduler(script) { harness in
            let configuration = harness.configuration("parallel")

            async let first = harness.invoke(configuration)
            async let second = harness.invoke(configuration)
            let results = await [first, second]

            #expect(results.map(\.payload) == [Data("done".utf8), Data("done".utf8)])
            #expect(harness.sandbox.startCount == 2)
        }
    }

    @Test func answerForAnotherRequestIdIsRefused() async throws {
        let refusals = Mutex<[HTTPResponse]>([])
        let script = RuntimeScript { client, event in
            if let refused = client.respond(to: "00000000-0000-4000-8000-000000000000", "stolen") {
                refusals.withLock { $0.append(refused) }
            }
            client.respond(to: event.requestId, "mine")
            return true
        }
        try await withScheduler(script) { harness in
            let result = await harness.invoke(harness.configuration("wrong-id"))

            #expect(result.payload == Data("mine".utf8))
            let refused = try #require(refusals.withLock { $0.first })
            #expect(refused.status == 400)
            let body = try JSONSerialization.jsonObject(with: refused.body) as? [String: String]
            #expect(body?["errorType"] == "InvalidRequestID")
        }
    }

    @Test func secondAnswerToTheSameInvocationIsRefused() async throws {
        let statuses = Mutex<[Int]>([])
        let script = RuntimeScript { client, event in
            let first = client.respond(to: event.requestId, "first")?.status ?? 0
            let second = client.respond(to: event.requestId, "second")?.status ?? 0
            statuses.withLock { $0 = [first, second] }
            return true
        }
        try await withScheduler(script) { harness in
            let result = await harness.invoke(harness.configuration("twice"))

            #expect(result.payload == Data("first".utf8))
            #expect(eventually { statuses.withLock { $0 } == [202, 400] })
        }
    }

    @Test func errorEndpointAnswersUnhandledWithTheRuntimesDocument() async throws {
        let document = #"{"errorMessage":"boom","errorType":"ValueError","stackTrace":[]}"#
        let script = RuntimeScript { client, event in
            client.fail(event.requestId, document, type: "ValueError")
            return true
        }
        try await withScheduler(script) { harness in
            let configuration = harness.configuration("handler-error")

            let result = await harness.invoke(configuration)
            let again = await harness.invoke(configuration)

            #expect(result.functionError == "Unhandled")
            #expect(result.payload == Data(document.utf8))
            #expect(result.tailLines.last?.hasSuffix("\tStatus: error\tError Type: ValueError") == true)
            // A handler's error leaves its environment usable.
            #expect(again.functionError == "Unhandled")
            #expect(harness.sandbox.startCount == 1)
        }
    }

    @Test func errorBodyThatIsNotJSONBecomesADocumentOfTheHeadersType() async throws {
        let script = RuntimeScript { client, event in
            client.fail(event.requestId, "something broke", type: "Custom.Failure")
            return true
        }
        try await withScheduler(script) { harness in
            let result = await harness.invoke(harness.configuration("text-error"))

            #expect(result.functionError == "Unhandled")
            #expect(result.document == ["errorType": "Custom.Failure", "errorMessage": "something broke"])
        }
    }

    @Test func initErrorFailsTheInvocationWithThePostedDocument() async throws {
        let document = #"{"errorMessage":"No module named 'app'","errorType":"Runtime.ImportModuleError"}"#
        let script = RuntimeScript(
            onInit: { client in
                _ = client.send(
                    "POST", "/init/error", body: Data(document.utf8),
                    headers: [("Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError")])
                return false
            },
            onEvent: { _, _ in false })
        try await withScheduler(script) { harness in
            let configuration = harness.configuration("init-error")

            let result = await harness.invoke(configuration)

            #expect(result.functionError == "Unhandled")
            #expect(result.payload == Data(document.utf8))
            #expect(eventually { harness.scheduler.environmentCount == 0 })
            #expect(eventually { harness.sandbox.pids.allSatisfy(isReaped) })
            let stored = try harness.logLines(of: configuration)
            #expect(stored.contains { $0.hasPrefix("INIT_REPORT Init Duration: ") && $0.hasSuffix("\tStatus: error") })
        }
    }

    @Test func runtimeKilledWhileBusyGivesExitErrorAndTheNextInvocationStartsAfresh() async throws {
        let killed = Atomic<Bool>(false)
        let script = RuntimeScript { client, event in
            if !killed.exchange(true, ordering: .relaxed) {
                kill(client.pid, SIGKILL)
                return false
            }
            client.respond(to: event.requestId, "recovered")
            return true
        }
        try await withScheduler(script) { harness in
            let configuration = harness.configuration("killed")

            let result = await harness.invoke(configuration)
            // The next environment starts once the first is fully released: the scheduler removes a dead
            // environment's descriptors from the reactor after closing them, so a new environment reusing their
            // numbers at that moment can lose its watches and never be answered.
            let firstFolder = try #require(harness.sandbox.specs.first?.temporaryDirectory)
            #expect(eventually { !FileSystem.exists(firstFolder) })
            try await Task.sleep(for: .milliseconds(50))
            let next = await harness.invoke(configuration)

            #expect(result.functionError == "Unhandled")
            #expect(result.document?["errorType"] == "Runtime.ExitError")
            #expect(
                result.document?["errorMessage"]
                    == "RequestId: \(result.requestId) Error: Runtime exited with error: signal: killed")
            #expect(result.tailLines.last?.hasSuffix("\tStatus: error\tError Type: Runtime.ExitError") == true)
            #expect(next.payload == Data("recovered".utf8))
            #expect(harness.sandbox.startCount == 2)
        }
    }

    @Test func invocationPastItsTimeoutGivesSandboxTimedout() async throws {
        let script = RuntimeScript { _, _ in false }
        try await withScheduler(script) { harness in
            let configuration = harness.configuration("slow", timeout: 1)
            let started = Date()

            let result = await harness.invoke(configuration)

            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed >= 1.0 && elapsed < 1.5)
            #expect(result.functionError == "Unhandled")
            #expect(result.document?["errorType"] == "Sandbox.Timedout")
            #expect(
                result.document?["errorMessage"]
                    == "RequestId: \(result.requestId) Error: Task timed out after 1.00 seconds")
            #expect(
                result.tailLines.contains { $0.hasSuffix(" \(result.requestId) Task timed out after 1.00 seconds") })
            #expect(result.tailLines.last?.hasSuffix("\tStatus: timeout") == true)
            #expect(eventually { harness.scheduler.environmentCount == 0 })
            #expect(eventually { harness.sandbox.pids.allSatisfy(isReaped) })
        }
    }

    @Test func retireMakesTheNextInvocationStartAFreshEnvironment() async throws {
        try await withScheduler(Self.echo) { harness in
            let configuration = harness.configuration("retired")
            _ = await harness.invoke(configuration)
            let firstPid = try #require(harness.sandbox.pids.first)

            harness.scheduler.retire(
                accountId: SchedulerHarness.account, region: SchedulerHarness.region, name: "retired")
            let result = await harness.invoke(configuration, payload: "after")

            #expect(result.payload == Data("echo:after".utf8))
            #expect(harness.sandbox.startCount == 2)
            #expect(eventually { isReaped(firstPid) })
            #expect(eventually { harness.scheduler.environmentCount == 1 })
        }
    }

    @Test func shutdownKillsAndReapsEveryEnvironment() async throws {
        try await withScheduler(Self.echo) { harness in
            _ = await harness.invoke(harness.configuration("first"))
            _ = await harness.invoke(harness.configuration("second"))
            let pids = harness.sandbox.pids
            #expect(pids.count == 2)

            let started = Date()
            harness.scheduler.shutdown()
            let elapsed = Date().timeIntervalSince(started)

            #expect(pids.allSatisfy(isReaped))
            #expect(harness.scheduler.environmentCount == 0)
            #expect(!FileSystem.exists(harness.workDirectory))
            #expect(eventually { harness.sandbox.threadsFinished })
            #expect(elapsed < 0.5)
            #expect(harness.sandbox.cleanUps == 2)
        }
    }

    @Test func shutdownStopsEnvironmentsOfRetiredFunctionsStillRunning() async throws {
        let delivered = DispatchSemaphore(value: 0)
        let script = RuntimeScript { _, _ in
            delivered.signal()
            return false
        }
        try await withScheduler(script) { harness in
            let configuration = harness.configuration("retired-busy", timeout: 3)
            harness.scheduler.invoke(harness.request(configuration)) { _ in }
            #expect(delivered.wait(timeout: .now() + 2) == .success)
            let pid = try #require(harness.sandbox.pids.first)

            harness.scheduler.retire(
                accountId: SchedulerHarness.account, region: SchedulerHarness.region, name: configuration.name)
            let countAfterRetire = harness.scheduler.environmentCount
            harness.scheduler.shutdown()
            let reapedByShutdown = isReaped(pid)

            #expect(countAfterRetire == 1)
            #expect(reapedByShutdown)
            kill(pid, SIGKILL)
        }
    }

    @Test func customRuntimeWithoutBootstrapGivesInvalidEntrypoint() async throws {
        try await withScheduler(Self.echo) { harness in
            let zip = try zip([("handler.sh", "echo hi\n")])
            let code = descriptor(of: zip)
            try harness.codeStore.store(zip, sha256Hex: code.sha256Hex)

            let result = await harness.invoke(harness.configuration("no-bootstrap", code: code))

            #expect(result.functionError == "Unhandled")
            #expect(result.document?["errorType"] == "Runtime.InvalidEntrypoint")
            #expect(harness.sandbox.startCount == 0)
        }
    }
}
