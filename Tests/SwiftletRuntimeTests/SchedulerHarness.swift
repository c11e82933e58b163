import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem
import Synchronization

@testable import SwiftletRuntime

/// A scheduler wired as a node wires it (reactor, code cache, log writer over SQLite, a Runtime API server that
/// adopts the environments' connections), with a ``FakeSandbox`` in place of the process sandbox.
final class SchedulerHarness: Sendable {
    static let account = "123456789012"
    static let region = "us-east-1"

    let folder: String
    let sandbox: FakeSandbox
    let store: SQLiteStore
    let codeStore: FileCodeStore
    let reactor: Reactor
    let logs: FunctionLogWriter
    let scheduler: Scheduler
    let runtimeServer: HTTPServer
    let workDirectory: String
    /// Names of the functions invoked, to retire them before shutting down.
    private let invokedNames = Mutex<Set<String>>([])
    /// The code every function of the harness runs: an executable `bootstrap`, so that a custom runtime can start.
    let code: CodeDescriptor

    init(script: RuntimeScript, memoryBudgetMB: Int? = nil) throws {
        folder = makeTemporaryDirectory()
        sandbox = FakeSandbox(script: script)
        let logger = Logger(label: "test", level: .warning, sink: MemoryLogSink())
        store = try SQLiteStore(path: "\(folder)/swiftlet.db")
        codeStore = try FileCodeStore(root: "\(folder)/code")
        let zip = try SwiftletRuntimeTests.zip([("bootstrap", "#!/bin/sh\nexit 1\n")])
        code = descriptor(of: zip)
        try codeStore.store(zip, sha256Hex: code.sha256Hex)

        reactor = try Reactor(name: "test.reactor", logger: logger)
        let codeCache = try CodeCache(root: "\(folder)/runtime/code", codeStore: codeStore, unpackedLimit: 1 << 24)
        logs = FunctionLogWriter(store: store, logger: logger)
        workDirectory = "\(folder)/runtime/environments"
        var configuration = SchedulerConfiguration(workDirectory: workDirectory, nodeEndpoint: "http://127.0.0.1:9")
        configuration.memoryBudgetMB = memoryBudgetMB
        scheduler = try Scheduler(
            configuration: configuration,
            sandbox: sandbox,
            resolver: RuntimeResolver(settings: RuntimeSettings(runtimesDirectory: "\(folder)/runtimes")),
            codeCache: codeCache, logs: logs, reactor: reactor, logger: logger)
        var runtimeConfiguration = HTTPServerConfiguration()
        runtimeConfiguration.listens = false
        runtimeConfiguration.reportsLocalPort = true
        runtimeConfiguration.threads = 2
        runtimeConfiguration.maxBodyBytes = RuntimeAPI.maxResponseBytes
        runtimeConfiguration.idleTimeoutSeconds = 0
        runtimeServer = try HTTPServer(
            configuration: runtimeConfiguration, handler: RuntimeAPI(scheduler: scheduler), logger: logger)
        scheduler.attach(runtimeServer: runtimeServer)
    }

    /// A version of a function running the harness's code on a custom runtime.
    func configuration(_ name: String = "fn", timeout: Int = 3, code: CodeDescriptor? = nil) -> FunctionConfiguration {
        FunctionConfiguration(
            name: name, runtime: "provided.al2023", role: "arn:aws:iam::\(Self.account):role/lambda",
            handler: "function.handler", timeout: timeout, memorySize: 256, environment: ["GREETING": "hello"],
            code: code ?? self.code)
    }

    func request(_ configuration: FunctionConfiguration, payload: String = "{}") -> InvocationRequest {
        InvocationRequest(
            accountId: Self.account, region: Self.region, configuration: configuration,
            invokedFunctionArn: "arn:aws:lambda:\(Self.region):\(Self.account):function:\(configuration.name)",
            payload: Data(payload.utf8), wantsLogTail: true)
    }

    /// Runs one invocation and returns how it ended.
    func invoke(_ configuration: FunctionConfiguration, payload: String = "{}") async -> InvocationResult {
        let request = request(configuration, payload: payload)
        invokedNames.withLock { _ = $0.insert(configuration.name) }
        return await withCheckedContinuation { continuation in
            scheduler.invoke(request) { continuation.resume(returning: $0) }
        }
    }

    /// Every line of the function's log group so far, oldest first.
    func logLines(of configuration: FunctionConfiguration) throws -> [String] {
        logs.flush()
        return try store.events(
            LogEventQuery(accountId: Self.account, region: Self.region, group: configuration.logGroup, limit: 10_000)
        ).map(\.message)
    }

    /// Stops everything as a node does, waits for the runtime threads, and removes the folder.
    ///
    /// Environments are retired first and left for the reactor to reap, so that ``Scheduler/shutdown()`` finds none;
    /// the shutdown of live environments has a test of its own.
    func shutDown() {
        for name in invokedNames.withLock({ $0 }) {
            scheduler.retire(accountId: Self.account, region: Self.region, name: name)
        }
        _ = eventually { sandbox.pids.allSatisfy(isReaped) }
        scheduler.shutdown()
        runtimeServer.stop()
        reactor.stop()
        logs.close()
        _ = eventually { sandbox.threadsFinished }
        // A test that fails must still leave no process behind.
        for pid in sandbox.pids where !isReaped(pid) {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
        }
        FileSystem.removeTree(folder)
    }
}

/// Runs `body` with a fresh harness whose runtime follows `script`, and shuts it down afterwards.
func withScheduler(
    _ script: RuntimeScript, memoryBudgetMB: Int? = nil, _ body: (SchedulerHarness) async throws -> Void
) async throws {
    let harness = try SchedulerHarness(script: script, memoryBudgetMB: memoryBudgetMB)
    do {
        try await body(harness)
    } catch {
        harness.shutDown()
        throw error
    }
    harness.shutDown()
}

extension InvocationResult {
    /// The payload as a JSON object of strings, for error documents.
    var document: [String: String]? {
        (try? JSONSerialization.jsonObject(with: payload)) as? [String: String]
    }

    /// The decoded log tail, split in lines.
    var tailLines: [String] {
        guard let logTail, let data = Data(base64Encoded: logTail) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// True when the process `pid` is gone and reaped.
func isReaped(_ pid: pid_t) -> Bool {
    kill(pid, 0) == -1 && errno == ESRCH
}
