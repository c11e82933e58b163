import Dispatch
import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem
import Synchronization

/// How the scheduler runs environments.
public struct SchedulerConfiguration: Sendable {
    /// Where environments' private folders go.
    public var workDirectory: String
    /// `AWS_ENDPOINT_URL` given to functions: the node itself (see ``Scheduler/setNodeEndpoint(_:)``).
    public var nodeEndpoint: String
    /// Seconds an idle environment is kept before it is stopped.
    public var idleTimeout: TimeInterval = 300
    /// Seconds a runtime may take to ask for its first event, beyond the function's timeout.
    public var initTimeout: TimeInterval = 10
    /// Seconds an environment stays idle before it is frozen (it then uses no CPU until the next invocation thaws
    /// it); nil never freezes.
    public var freezeAfter: TimeInterval?
    /// Megabytes of memory (by `MemorySize`) the node's environments may hold together; nil for no limit. A new
    /// environment that would pass it first evicts idle ones, least recently used first, else is throttled.
    public var memoryBudgetMB: Int?
    /// Where Python keeps compiled bytecode for every environment, so that a cold start does not recompile the
    /// runtime client and the function; nil keeps Python's default (beside the sources).
    public var bytecodeCacheDirectory: String?

    public init(workDirectory: String, nodeEndpoint: String) {
        self.workDirectory = workDirectory
        self.nodeEndpoint = nodeEndpoint
    }
}

/// Runs invocations: finds a warm environment or starts one, delivers the event through the Runtime API, watches
/// the runtime and reports how the invocation ended.
public final class Scheduler: Sendable {
    let configuration: SchedulerConfiguration
    let sandbox: any Sandbox
    let resolver: RuntimeResolver
    let codeCache: CodeCache
    let logs: FunctionLogWriter
    let reactor: Reactor
    let logger: Logger
    /// Set once the Runtime API server exists; environments cannot start before.
    private let endpointsBox = Mutex<RuntimeEndpoints?>(nil)
    private let nodeEndpoint: Mutex<String>
    /// The node as environments on the sandbox network reach it.
    private let routedNodeEndpoint = Mutex<String>("")
    let pools: [PoolShard]
    private static let shardCount = 16
    let startQueue = DispatchQueue(label: "swiftlet.environments.start", attributes: .concurrent)
    let timerQueue = DispatchQueue(label: "swiftlet.environments.timers")
    /// Dispatch sources are safe to use from any thread.
    nonisolated(unsafe) private let reaper: DispatchSourceTimer
    nonisolated(unsafe) private let freezer: DispatchSourceTimer?

    final class PoolShard: Sendable {
        let pools = Mutex<[String: EnvironmentPool]>([:])
    }

    /// Every environment from its launch until its resources are released, whatever its pool became.
    private let live: [LiveShard]
    /// Megabytes held by environments launched and not yet released or evicted.
    let committedMemoryMB = Atomic<Int>(0)

    private final class LiveShard: Sendable {
        let environments = Mutex<[String: (Environment, String)]>([:])
    }

    private func liveShard(_ id: String) -> LiveShard {
        live[Int(UInt(bitPattern: id.hashValue) % UInt(Self.shardCount))]
    }

    public init(
        configuration: SchedulerConfiguration, sandbox: any Sandbox, resolver: RuntimeResolver, codeCache: CodeCache,
        logs: FunctionLogWriter, reactor: Reactor, logger: Logger
    ) throws {
        self.configuration = configuration
        self.nodeEndpoint = Mutex(configuration.nodeEndpoint)
        self.sandbox = sandbox
        self.resolver = resolver
        self.codeCache = codeCache
        self.logs = logs
        self.reactor = reactor
        self.logger = logger
        pools = (0..<Self.shardCount).map { _ in PoolShard() }
        live = (0..<Self.shardCount).map { _ in LiveShard() }
        try FileSystem.makeDirectories(configuration.workDirectory)
        reaper = DispatchSource.makeTimerSource(queue: timerQueue)
        let timerQueue = self.timerQueue
        freezer = configuration.freezeAfter.map { _ in DispatchSource.makeTimerSource(queue: timerQueue) }
        let interval = max(0.05, min(configuration.idleTimeout / 4, 15))
        reaper.schedule(deadline: .now() + interval, repeating: interval)
        reaper.setEventHandler { [weak self] in self?.reapIdle() }
        reaper.resume()
        if let freezer, let freezeAfter = configuration.freezeAfter {
            let interval = max(0.02, freezeAfter / 2)
            freezer.schedule(deadline: .now() + interval, repeating: interval)
            freezer.setEventHandler { [weak self] in self?.freezeIdle(olderThan: freezeAfter) }
            freezer.resume()
        }
    }

    /// Connects the scheduler to the Runtime API server that serves its environments.
    public func attach(runtimeServer: HTTPServer) {
        endpointsBox.withLock { $0 = RuntimeEndpoints(server: runtimeServer, reactor: reactor) }
    }

    var endpoints: RuntimeEndpoints? { endpointsBox.withLock { $0 } }

    /// The URL functions reach the node at, once its port is known.
    public func setNodeEndpoint(_ url: String) {
        nodeEndpoint.withLock { $0 = url }
    }

    /// Routes namespaced environments through `network`; they reach the node at its gateway, on `nodePort`.
    public func attach(network: SandboxNetwork, nodePort: UInt16) {
        routedNodeEndpoint.withLock { $0 = "http://\(network.gatewayAddress):\(nodePort)" }
        endpoints?.use(network)
    }

    /// Runs an invocation; `completion` is called exactly once, from any thread.
    public func invoke(_ request: InvocationRequest, completion: @escaping @Sendable (InvocationResult) -> Void) {
        let invocation = Invocation(request: request, completion: completion)
        let pool = self.pool(for: request)
        enum Action {
            case deliver(Environment, HTTPResponder, Double?)
            case start
            case wait
        }
        let action = pool.state.withLock { state -> Action in
            while let id = state.idle.popLast() {
                guard var slot = state.slots[id], slot.phase == .idle, let next = slot.heldNext else { continue }
                slot.phase = .busy
                slot.heldNext = nil
                slot.current = invocation
                if slot.frozen {
                    slot.environment.sandboxed?.thaw()
                    slot.frozen = false
                }
                let initDuration = slot.initReported ? nil : slot.initDurationMs
                slot.initReported = true
                state.slots[id] = slot
                return .deliver(slot.environment, next, initDuration)
            }
            state.pending.append(invocation)
            // Environments starting, or about to ask for their next event, will take the waiting invocations.
            if state.pending.count > state.starting + state.finishing {
                state.starting += 1
                return .start
            }
            return .wait
        }
        switch action {
        case .deliver(let environment, let next, let initDuration):
            deliver(invocation, to: environment, in: pool, next: next, initDuration: initDuration)
        case .start:
            startQueue.async { self.startEnvironment(in: pool) }
        case .wait:
            break
        }
    }

    /// Stops the environments of a function once they are idle, after its code or configuration changed or it was
    /// deleted. Invocations already running finish first.
    /// With `version`, only that version's environments go (a change of `$LATEST` leaves published versions and
    /// their provisioned environments alone).
    public func retire(accountId: String, region: String, name: String, version: String? = nil) {
        let prefix =
            Self.poolPrefix(accountId: accountId, region: region, name: name) + (version.map { "\($0)\u{1}" } ?? "")
        var retired: [EnvironmentPool] = []
        for shard in pools {
            shard.pools.withLock { pools in
                for (key, pool) in pools where key.hasPrefix(prefix) {
                    retired.append(pool)
                    pools.removeValue(forKey: key)
                }
            }
        }
        for pool in retired {
            let idle = pool.state.withLock { state -> [(Environment, HTTPResponder?)] in
                state.retired = true
                let ids = state.idle
                state.idle.removeAll()
                return ids.compactMap { id in
                    guard var slot = state.slots[id] else { return nil }
                    let next = slot.heldNext
                    slot.heldNext = nil
                    slot.phase = .dead
                    state.slots[id] = slot
                    return (slot.environment, next)
                }
            }
            for (environment, next) in idle { stop(environment, heldNext: next) }
        }
    }

    /// Stops every environment, for the node's shutdown.
    public func shutdown() {
        reaper.cancel()
        freezer?.cancel()
        var environments: [(Environment, HTTPResponder?)] = []
        for shard in pools {
            let all = shard.pools.withLock { pools -> [EnvironmentPool] in
                let values = Array(pools.values)
                pools.removeAll()
                return values
            }
            for pool in all {
                pool.state.withLock { state in
                    state.retired = true
                    for (id, var slot) in state.slots {
                        environments.append((slot.environment, slot.heldNext))
                        slot.heldNext = nil
                        slot.phase = .dead
                        state.slots[id] = slot
                    }
                    state.idle.removeAll()
                }
            }
        }
        for (environment, next) in environments { stop(environment, heldNext: next) }
        // Environments of pools already retired are no longer in any pool; the live registry has them all.
        let remaining = live.flatMap { shard in shard.environments.withLock { Array($0.values) } }
        for (environment, _) in remaining { environment.sandboxed?.terminate() }

        // The reactor reports the exits and releases each environment; wait for that, then release what it has not
        // reached, since the node is about to exit.
        let deadline = DispatchTime.now().uptimeNanoseconds + 2_000_000_000
        while environmentCount > 0 && DispatchTime.now().uptimeNanoseconds < deadline { usleep(2000) }
        for (environment, workFolder) in live.flatMap({ shard in shard.environments.withLock { Array($0.values) } }) {
            _ = environment.sandboxed?.process.reap()
            release(environment, workFolder: workFolder)
        }
        sandbox.close()
        endpoints?.closePrepared()
        FileSystem.removeTree(configuration.workDirectory)
    }

    /// The number of environments whose resources are not yet released, for tests and metrics.
    public var environmentCount: Int {
        live.reduce(0) { $0 + $1.environments.withLock { $0.count } }
    }

    // MARK: - Pools

    static func poolPrefix(accountId: String, region: String, name: String) -> String {
        "\(accountId)\u{1}\(region)\u{1}\(name)\u{1}"
    }

    private func pool(for request: InvocationRequest) -> EnvironmentPool {
        pool(
            accountId: request.accountId, region: request.region, configuration: request.configuration,
            routesOutside: request.routesOutside)
    }

    func pool(
        accountId: String, region: String, configuration: FunctionConfiguration, routesOutside: Bool
    ) -> EnvironmentPool {
        let key =
            Self.poolPrefix(accountId: accountId, region: region, name: configuration.name)
            + "\(configuration.version)\u{1}\(configuration.revisionId)\(routesOutside ? "" : "\u{1}closed")"
        let shard = pools[Int(UInt(bitPattern: key.hashValue) % UInt(Self.shardCount))]
        return shard.pools.withLock { pools in
            if let pool = pools[key] { return pool }
            let pool = EnvironmentPool(
                key: key, configuration: configuration, accountId: accountId, region: region,
                routesOutside: routesOutside)
            pools[key] = pool
            return pool
        }
    }

    /// The pools of a function whose key starts with `prefix`.
    func pools(withPrefix prefix: String) -> [EnvironmentPool] {
        pools.flatMap { shard in shard.pools.withLock { $0.filter { $0.key.hasPrefix(prefix) }.map(\.value) } }
    }

    // MARK: - Delivering

    func deliver(
        _ invocation: Invocation, to environment: Environment, in pool: EnvironmentPool, next: HTTPResponder,
        initDuration: Double?
    ) {
        let started = DispatchTime.now().uptimeNanoseconds
        let timeout = pool.timeoutSeconds
        let timer = DispatchSource.makeTimerSource(queue: timerQueue)
        timer.schedule(deadline: .now() + .seconds(timeout))
        timer.setEventHandler { [weak self] in
            self?.timedOut(invocation, environment: environment, pool: pool, initDuration: initDuration)
        }
        pool.state.withLock { state in
            state.slots[environment.id]?.currentStartedAt = started
            state.slots[environment.id]?.timer = timer
            state.slots[environment.id]?.initDurationMs = initDuration
        }
        environment.collect(for: invocation)
        environment.platformLine(
            PlatformLog.start(requestId: invocation.id, version: pool.configuration.version), invocation: invocation)
        timer.resume()

        let request = invocation.request
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout) * 1000
        var headers = HTTPHeaders([
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", invocation.id),
            ("Lambda-Runtime-Deadline-Ms", String(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", request.invokedFunctionArn),
            ("Lambda-Runtime-Trace-Id", invocation.traceId),
        ])
        if let context = request.clientContext { headers.add("Lambda-Runtime-Client-Context", context) }
        if let identity = request.cognitoIdentity { headers.add("Lambda-Runtime-Cognito-Identity", identity) }
        next.respond(HTTPResponse(status: 200, headers: headers, body: request.payload))
    }

    /// Reports an invocation's end: the runtime's lines, END and REPORT, then the answer to the caller.
    func complete(
        _ invocation: Invocation, environment: Environment, pool: EnvironmentPool, payload: Data,
        functionError: String?, status: String? = nil, errorType: String? = nil, extraLine: String? = nil,
        timing: (startedAt: UInt64, initDuration: Double?)? = nil
    ) {
        let (startedAt, initDuration) =
            timing
            ?? pool.state.withLock { state -> (UInt64, Double?) in
                let slot = state.slots[environment.id]
                return (slot?.currentStartedAt ?? DispatchTime.now().uptimeNanoseconds, slot?.initDurationMs)
            }
        let duration = Double(DispatchTime.now().uptimeNanoseconds - startedAt) / 1_000_000
        environment.drainOutput()
        environment.collect(for: nil)
        if let extraLine { environment.platformLine(extraLine, invocation: invocation) }
        let peak = environment.sandboxed?.peakMemoryBytes().map { Int(($0 + (1 << 20) - 1) >> 20) }
        environment.platformLine(PlatformLog.end(requestId: invocation.id), invocation: invocation)
        environment.platformLine(
            PlatformLog.report(
                requestId: invocation.id, durationMs: duration, memoryMB: pool.configuration.memorySize,
                maxMemoryUsedMB: peak, initDurationMs: initDuration, status: status, errorType: errorType),
            invocation: invocation)
        invocation.finish(payload: payload, functionError: functionError)
    }

    // MARK: - Starting

    private func startEnvironment(in pool: EnvironmentPool) {
        do {
            try launch(in: pool)
        } catch {
            // A full node throttles as a matter of course; anything else is worth a warning.
            logger.log(
                error is NodeAtCapacity ? .debug : .warning, "environment failed to start",
                [("function.name", pool.configuration.name), ("error.message", "\(error)")])
            let failed = pool.state.withLock { state -> Invocation? in
                state.starting -= 1
                return state.pending.isEmpty ? nil : state.pending.removeFirst()
            }
            guard let failed else { return }
            if error is NodeAtCapacity {
                failed.throttle()
            } else if let unavailable = error as? EntrypointMissing {
                failed.fail(
                    type: "Runtime.InvalidEntrypoint",
                    message: "RequestId: \(failed.id) Error: Couldn't find valid bootstrap(s): \(unavailable.searched)")
            } else {
                failed.fail(type: "Runtime.Unknown", message: "RequestId: \(failed.id) Error: \(error)")
            }
        }
    }

    func launch(in pool: EnvironmentPool, provisioned: Bool = false) throws {
        guard let endpoints else { throw RuntimeUnavailable(description: "the Runtime API is not running") }
        let configuration = pool.configuration
        let codeDirectory = try codeCache.directory(for: configuration.code.sha256Hex)
        // Each layer is unpacked once and shared; the last one given wins, as it does when AWS merges them.
        // The namespace sandbox merges them at /opt and rewrites these paths to it.
        // Limitation: the process sandbox has no /opt of its own, so layers are reached through the runtimes'
        // search paths (PYTHONPATH, NODE_PATH, PATH, LD_LIBRARY_PATH, the bootstrap), not at /opt itself.
        let layerRoots = try configuration.layers.reversed().map { try codeCache.directory(for: $0.sha256Hex) }
        let launch = try resolver.launch(
            configuration.runtime, codeDirectory: codeDirectory, handler: configuration.handler,
            optRoots: layerRoots + ["/opt"])
        if RuntimeCatalog.family(of: configuration.runtime) == .custom,
            !FileManager.default.isExecutableFile(atPath: launch.executable)
        {
            throw EntrypointMissing(searched: "[\(codeDirectory)/bootstrap /opt/bootstrap]")
        }

        try admitMemory(configuration.memorySize)
        var admitted = true
        defer { if admitted { committedMemoryMB.subtract(configuration.memorySize, ordering: .relaxed) } }
        let id = Digest.randomBytes(16).hexString
        let workFolder = "\(self.configuration.workDirectory)/\(id)"
        let temporary = "\(workFolder)/tmp"
        try FileSystem.makeDirectories(temporary)
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw SystemError("pipe") }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(pipeEnds[0], F_SETFL, O_NONBLOCK)
        let endpoint: RuntimeEndpoint
        do {
            endpoint =
                sandbox.isolatesNetwork ? try endpoints.openIsolated(routed: pool.routesOutside) : try endpoints.open()
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            throw error
        }
        let environment = Environment(
            id: id, pool: pool, version: configuration.version, endpoint: endpoint, outputDescriptor: pipeEnds[0],
            logs: logs,
            accountId: pool.accountId, region: pool.region, logGroup: configuration.logGroup)
        admitted = false
        environment.holdsMemory.store(true, ordering: .relaxed)
        pool.state.withLock { state in
            var slot = EnvironmentPool.Slot(environment: environment)
            slot.provisioned = provisioned
            state.slots[id] = slot
            if provisioned { state.provisionedLaunching -= 1 }
        }
        liveShard(id).environments.withLock { $0[id] = (environment, workFolder) }
        endpoints.register(environment)

        var variables = environmentVariables(
            for: pool, environment: environment, launch: launch, codeDirectory: codeDirectory, temporary: temporary)
        if provisioned { variables["AWS_LAMBDA_INITIALIZATION_TYPE"] = "provisioned-concurrency" }
        environment.platformLine(PlatformLog.initStart(versionLabel: launch.versionLabel, region: pool.region))
        if let caveat = sandbox.memoryLimitCaveat {
            environment.platformLine(
                "INIT_WARNING The \(configuration.memorySize) MB memory limit is not enforced on this node: \(caveat)")
        }
        let sandboxed: any SandboxedProcess
        do {
            sandboxed = try sandbox.start(
                SandboxSpec(
                    environmentId: id, codeDirectory: codeDirectory, temporaryDirectory: temporary,
                    executable: launch.executable, arguments: [launch.executable] + launch.arguments,
                    environment: variables, memoryMB: configuration.memorySize, outputDescriptor: pipeEnds[1],
                    ephemeralStorageMB: configuration.ephemeralStorage, networkNamespace: endpoint.networkNamespace,
                    readOnlyPaths: [launch.environment["LAMBDA_RUNTIME_DIR"]].compactMap { $0 },
                    layerDirectories: layerRoots.reversed()))
        } catch {
            environment.startFailed()
            close(pipeEnds[1])
            pool.state.withLock { _ = $0.slots.removeValue(forKey: id) }
            release(environment, workFolder: workFolder)
            throw error
        }
        close(pipeEnds[1])
        environment.attach(sandboxed)
        try? reactor.watch(pipeEnds[0]) { _ in environment.drainOutput() }
        try? reactor.watch(sandboxed.process.pidDescriptor) { [weak self] _ in
            // The release that follows the exit stops this watch and closes the pidfd, in that order.
            guard let exit = sandboxed.process.reap() else { return true }
            self?.exited(environment, pool: pool, exit: exit, workFolder: workFolder)
            return true
        }

        let limit = Double(configuration.timeout) + self.configuration.initTimeout
        timerQueue.asyncAfter(deadline: .now() + limit) { [weak self] in
            self?.initTimedOut(environment, pool: pool)
        }
        logger.debug(
            "environment started",
            [("function.name", configuration.name), ("env.id", id), ("env.pid", "\(sandboxed.process.pid)")])
    }

    private func environmentVariables(
        for pool: EnvironmentPool, environment: Environment, launch: RuntimeLaunch, codeDirectory: String,
        temporary: String
    ) -> [String: String] {
        let configuration = pool.configuration
        var variables = configuration.environment ?? [:]
        let hostPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let reserved: [String: String] = [
            "_HANDLER": configuration.handler,
            "LAMBDA_TASK_ROOT": codeDirectory,
            "LAMBDA_RUNTIME_DIR": launch.environment["LAMBDA_RUNTIME_DIR"] ?? codeDirectory,
            "AWS_LAMBDA_RUNTIME_API": environment.endpoint.address,
            "AWS_LAMBDA_FUNCTION_NAME": configuration.name,
            "AWS_LAMBDA_FUNCTION_VERSION": configuration.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(configuration.memorySize),
            "AWS_LAMBDA_LOG_GROUP_NAME": configuration.logGroup,
            "AWS_LAMBDA_LOG_STREAM_NAME": environment.logStream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_EXECUTION_ENV": "AWS_Lambda_\(configuration.runtime)",
            "AWS_REGION": pool.region,
            "AWS_DEFAULT_REGION": pool.region,
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": launch.environment["PATH"] ?? "/opt/bin:\(hostPath)",
            "LD_LIBRARY_PATH": launch.environment["LD_LIBRARY_PATH"] ?? "/opt/lib",
            "TMPDIR": temporary,
            "HOME": temporary,
        ]
        for (key, value) in reserved { variables[key] = value }
        for (key, value) in launch.environment where key != "LAMBDA_RUNTIME_DIR" { variables[key] = value }
        if RuntimeCatalog.family(of: configuration.runtime) == .python,
            let cache = self.configuration.bytecodeCacheDirectory
        {
            // The code folder is shared by every function with the same zip and must stay as uploaded, as
            // /var/task is read-only on AWS: bytecode goes to one cache for the node instead, shared by every
            // environment so that each compiles nothing already compiled. Python writes it atomically.
            variables["PYTHONPYCACHEPREFIX"] = cache
        }
        // The node's own services are one SDK call away, as AWS's are inside Lambda.
        if variables["AWS_ENDPOINT_URL"] == nil {
            variables["AWS_ENDPOINT_URL"] =
                environment.endpoint.routedAddress == nil
                ? nodeEndpoint.withLock { $0 } : routedNodeEndpoint.withLock { $0 }
        }
        let credentials = TemporaryCredentials.issue(role: configuration.role)
        variables["AWS_ACCESS_KEY_ID"] = credentials.accessKeyId
        variables["AWS_SECRET_ACCESS_KEY"] = credentials.secretAccessKey
        variables["AWS_SESSION_TOKEN"] = credentials.sessionToken
        return variables
    }

    // MARK: - Endings

    func stop(_ environment: Environment, heldNext: HTTPResponder?) {
        heldNext?.respond(.text(410, "this environment is being stopped"))
        environment.sandboxed?.terminate()
    }

    private func timedOut(
        _ invocation: Invocation, environment: Environment, pool: EnvironmentPool, initDuration: Double?
    ) {
        // The runtime is killed before the answer, so that it writes nothing after the timeout line; its exit may
        // then be seen first, and the slot gone: what the REPORT line needs is taken now.
        let timing = pool.state.withLock { state -> (startedAt: UInt64, initDuration: Double?)? in
            guard var slot = state.slots[environment.id], slot.current === invocation else { return nil }
            slot.phase = .dead
            slot.timedOut = true
            state.slots[environment.id] = slot
            return (slot.currentStartedAt, slot.initDurationMs)
        }
        guard let timing else { return }
        environment.sandboxed?.terminate()
        let message = "RequestId: \(invocation.id) Error: Task timed out after \(pool.timeoutSeconds).00 seconds"
        complete(
            invocation, environment: environment, pool: pool,
            payload: Invocation.errorDocument(type: "Sandbox.Timedout", message: message),
            functionError: "Unhandled", status: "timeout",
            extraLine: PlatformLog.timedOut(requestId: invocation.id, seconds: pool.timeoutSeconds), timing: timing)
        pool.state.withLock { $0.slots[environment.id]?.current = nil }
    }

    private func initTimedOut(_ environment: Environment, pool: EnvironmentPool) {
        let stillStarting = pool.state.withLock { $0.slots[environment.id]?.phase == .starting }
        guard stillStarting else { return }
        logger.warning("runtime did not ask for an event in time", [("env.id", environment.id)])
        environment.sandboxed?.terminate()
    }

    /// The runtime process is gone: fail what it was running (or the invocation it was started for), clean up,
    /// and start a replacement if invocations still wait.
    private func exited(_ environment: Environment, pool: EnvironmentPool, exit: ChildExit, workFolder: String) {
        environment.drainOutput()
        let outOfMemory = environment.sandboxed?.wasOutOfMemory() ?? false
        let (slot, failedPending, startAnother) = pool.state.withLock {
            state -> (EnvironmentPool.Slot?, Invocation?, Bool) in
            guard let slot = state.slots.removeValue(forKey: environment.id) else { return (nil, nil, false) }
            state.idle.removeAll { $0 == environment.id }
            var failedPending: Invocation?
            if slot.phase == .starting && !slot.provisioned {
                state.starting -= 1
                if !state.pending.isEmpty { failedPending = state.pending.removeFirst() }
            }
            if slot.phase == .finishing { state.finishing -= 1 }
            let startAnother = !state.retired && state.pending.count > state.starting + state.finishing
            if startAnother { state.starting += 1 }
            return (slot, failedPending, startAnother)
        }
        slot?.timer?.cancel()
        slot?.heldNext?.respond(.text(410, "this environment has stopped"))

        // A timed-out invocation is answered by `timedOut`, which killed the runtime: the exit may be seen first.
        if let current = slot?.current, slot?.timedOut == false, !current.isFinished {
            let (type, reason) =
                outOfMemory
                ? ("Runtime.OutOfMemory", "Runtime exited with error: \(exit)")
                : ("Runtime.ExitError", "Runtime exited with error: \(exit)")
            complete(
                current, environment: environment, pool: pool,
                payload: Invocation.errorDocument(type: type, message: "RequestId: \(current.id) Error: \(reason)"),
                functionError: "Unhandled", status: "error", errorType: type)
        }
        if let failedPending {
            if let initError = slot?.initError {
                environment.platformLine(PlatformLog.initReportError(durationMs: environment.ageMilliseconds))
                failedPending.finish(payload: initError, functionError: "Unhandled")
            } else {
                let type = outOfMemory ? "Runtime.OutOfMemory" : "Runtime.ExitError"
                failedPending.fail(
                    type: type, message: "RequestId: \(failedPending.id) Error: Runtime exited with error: \(exit)")
            }
        }

        release(environment, workFolder: workFolder)
        logger.debug("environment stopped", [("env.id", environment.id), ("process.exit", "\(exit)")])
        if startAnother { startQueue.async { self.startEnvironment(in: pool) } }
        if slot?.provisioned == true { replaceProvisioned(in: pool, after: slot?.phase == .starting ? 1 : 0) }
    }

    /// Releases what an environment holds, once, whoever asks first: its endpoint, its watches and descriptors (each
    /// watch removed before its descriptor is closed, so a reused number is never unwatched by mistake), its
    /// sandbox resources and its folder.
    func release(_ environment: Environment, workFolder: String) {
        guard environment.claimRelease() else { return }
        releaseMemory(of: environment)
        endpoints?.close(environment.endpoint)
        reactor.remove(environment.outputDescriptor)
        environment.drainOutput()
        environment.closeOutput()
        if let sandboxed = environment.sandboxed {
            reactor.remove(sandboxed.process.pidDescriptor)
            sandboxed.process.closeDescriptor()
            sandboxed.cleanUp()
        }
        FileSystem.removeTree(workFolder)
        liveShard(environment.id).environments.withLock { _ = $0.removeValue(forKey: environment.id) }
    }

}

/// A custom runtime with no bootstrap to run.
struct EntrypointMissing: Error, CustomStringConvertible {
    let searched: String
    var description: String { "no bootstrap executable in \(searched)" }
}
