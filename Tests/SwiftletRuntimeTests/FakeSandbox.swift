import Foundation
import SwiftletHTTP
import SwiftletRuntime
import SwiftletSystem
import Synchronization

/// An event as the fake runtime received it from `GET /invocation/next`.
struct DeliveredEvent: Sendable {
    var headers: HTTPHeaders
    var body: Data

    var requestId: String { headers["Lambda-Runtime-Aws-Request-Id"] ?? "" }
}

/// The runtime client's side of the Runtime API, as the test's runtime thread uses it.
struct RuntimeClient: Sendable {
    let client: HTTPClient
    /// The environment's process, a real child the scheduler watches, kills and reaps.
    let pid: pid_t
    /// A copy of the write end of the environment's output pipe.
    let output: Int32

    /// Sends a request to the Runtime API; nil when the node cannot be reached.
    func send(
        _ method: String, _ path: String, body: Data = Data(), headers: [(String, String)] = []
    )
        -> HTTPResponse?
    {
        try? client.send(method: method, target: "/2018-06-01/runtime" + path, headers: headers, body: body)
    }

    @discardableResult
    func respond(to requestId: String, _ body: String) -> HTTPResponse? {
        send("POST", "/invocation/\(requestId)/response", body: Data(body.utf8))
    }

    @discardableResult
    func fail(_ requestId: String, _ body: String, type: String? = nil) -> HTTPResponse? {
        send(
            "POST", "/invocation/\(requestId)/error", body: Data(body.utf8),
            headers: type.map { [("Lambda-Runtime-Function-Error-Type", $0)] } ?? [])
    }

    /// Writes a line to the environment's output, as a function's print would.
    func print(_ line: String) {
        let text = line + "\n"
        _ = text.withCString { Foundation.write(output, $0, strlen($0)) }
    }
}

/// What the fake runtime does. `onInit` runs before the first `GET next` and returns false to stop there;
/// `onEvent` runs for each event and returns true to ask for the next one.
struct RuntimeScript: Sendable {
    var onInit: @Sendable (RuntimeClient) -> Bool = { _ in true }
    var onEvent: @Sendable (RuntimeClient, DeliveredEvent) -> Bool

    /// Answers every event with `reply(event)`.
    static func answering(_ reply: @escaping @Sendable (DeliveredEvent) -> String) -> RuntimeScript {
        RuntimeScript { client, event in
            client.respond(to: event.requestId, reply(event))
            return true
        }
    }
}

/// A sandbox whose environments are a `/bin/sleep` child, for the scheduler to watch, kill and reap, and a thread of
/// the test that plays the runtime client over real HTTP at the environment's `AWS_LAMBDA_RUNTIME_API`.
final class FakeSandbox: Sandbox {
    let name = "fake"
    let memoryLimitCaveat: String? = nil

    func close() {}
    /// What ``FakeProcess`` reports as the environment's peak memory: just over 41 MB.
    static let peakBytes: Int64 = (41 << 20) + 1
    private let script: RuntimeScript
    private let recorded = Mutex<Recorded>(Recorded())
    private let runningThreads = Atomic<Int>(0)
    private let cleanUpCount = Atomic<Int>(0)

    private struct Recorded {
        var specs: [SandboxSpec] = []
        var pids: [pid_t] = []
        var events: [DeliveredEvent] = []
    }

    init(script: RuntimeScript) {
        self.script = script
    }

    func start(_ spec: SandboxSpec) throws -> any SandboxedProcess {
        guard let address = spec.environment["AWS_LAMBDA_RUNTIME_API"] else {
            throw SystemError("AWS_LAMBDA_RUNTIME_API", code: EINVAL)
        }
        var client = try HTTPClient(baseURL: "http://\(address)")
        client.timeout = 10
        let process = try ChildProcess.spawn(
            ChildProcessSpec(
                executable: "/bin/sleep", arguments: ["sleep", "30"], environment: [:], directory: spec.codeDirectory,
                outputDescriptor: spec.outputDescriptor))
        let output = fcntl(spec.outputDescriptor, F_DUPFD_CLOEXEC, 0)
        recorded.withLock {
            $0.specs.append(spec)
            $0.pids.append(process.pid)
        }

        let runtime = RuntimeClient(client: client, pid: process.pid, output: output)
        runningThreads.add(1, ordering: .relaxed)
        let thread = Thread { [self] in
            defer {
                Glibc.close(output)
                runningThreads.subtract(1, ordering: .relaxed)
            }
            guard script.onInit(runtime) else { return }
            while let answer = runtime.send("GET", "/invocation/next"), answer.status == 200 {
                let event = DeliveredEvent(headers: answer.headers, body: answer.body)
                recorded.withLock { $0.events.append(event) }
                guard script.onEvent(runtime, event) else { return }
            }
        }
        thread.start()
        return FakeProcess(process: process, sandbox: self)
    }

    /// How many environments were started.
    var startCount: Int { recorded.withLock { $0.specs.count } }
    var specs: [SandboxSpec] { recorded.withLock { $0.specs } }
    var pids: [pid_t] { recorded.withLock { $0.pids } }
    var events: [DeliveredEvent] { recorded.withLock { $0.events } }

    /// True once every runtime thread has returned.
    var threadsFinished: Bool { runningThreads.load(ordering: .relaxed) == 0 }

    /// How many environments the scheduler released.
    var cleanUps: Int { cleanUpCount.load(ordering: .relaxed) }

    fileprivate func cleanedUp() { cleanUpCount.add(1, ordering: .relaxed) }
}

/// A real child process standing for the runtime.
struct FakeProcess: SandboxedProcess {
    let process: ChildProcess
    let sandbox: FakeSandbox

    func peakMemoryBytes() -> Int64? { FakeSandbox.peakBytes }
    func wasOutOfMemory() -> Bool { false }
    func terminate() { process.killGroup(SIGKILL) }
    func cleanUp() { sandbox.cleanedUp() }
}
