import Foundation
import SwiftletHTTP
import SwiftletLambda
import SwiftletModel
import SwiftletRuntime
import SwiftletServices
import SwiftletStore
import SwiftletSystem
import Synchronization

/// How a node is started.
public struct NodeOptions: Sendable {
    public var host = "127.0.0.1"
    public var port: UInt16 = 9000
    public var dataDirectory = "./.swiftlet"
    public var region = "us-east-1"
    public var accountId = "000000000000"
    /// Allows listening beyond loopback while request signatures are not verified.
    public var insecureNoAuth = false
    public var threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
    public var limits = Limits()
    /// Folder with the runtime clients (`node/bootstrap.js`, `python/<X.Y>/awslambdaric`).
    public var runtimesDirectory = NodeOptions.defaultRuntimesDirectory()
    /// Interpreters chosen by the operator, by runtime identifier or family.
    public var interpreters: [String: String] = [:]
    /// Seconds an idle environment is kept.
    public var idleTimeout: TimeInterval = 300
    /// Multiplies asynchronous events' retry delays, backoffs and maximum age (1: AWS's timing).
    public var asyncTimeScale: Double = 1
    /// Seconds an idle environment runs before it is frozen; nil never freezes.
    public var freezeAfter: TimeInterval? = 1
    /// Megabytes environments may hold together; nil for four fifths of the host's memory.
    public var memoryBudgetMB: Int?
    /// How environments are walled off: `process` (plain child processes), `namespace` (Linux namespaces,
    /// root only) or `auto` (the strongest this host allows).
    public var sandbox = "auto"

    public init() {}

    /// `$SWIFTLET_RUNTIMES_DIR`, else `runtimes/` of the checkout the binary was built in, else of the working
    /// directory.
    public static func defaultRuntimesDirectory() -> String {
        if let configured = ProcessInfo.processInfo.environment["SWIFTLET_RUNTIMES_DIR"] { return configured }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("runtimes").path
            if FileManager.default.fileExists(atPath: "\(candidate)/node/bootstrap.js") { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/runtimes"
    }
}

/// A running node: the data directory, the store, the Lambda API and the HTTP server, wired together.
public final class Node: Sendable {
    public let server: HTTPServer
    let runtimeServer: HTTPServer
    let scheduler: Scheduler
    let reactor: Reactor
    let functionLogs: FunctionLogWriter
    let retention: LogRetentionSweeper
    let queues: QueueService
    let asyncEvents: AsyncInvocations
    let eventSources: EventSourcePollers
    let logger: Logger
    /// The namespaced environments' routed network, and the node's listening socket on its gateway.
    let sandboxNetwork: SandboxNetwork?
    let gatewayListener: Int32?
    /// The data directory's lock; held open for the node's lifetime.
    private let lockDescriptor: Int32

    /// Opens the data directory and starts serving.
    /// - Throws: ``CLIError`` with a message for the operator when the options or the host forbid starting.
    public init(options: NodeOptions, logger: Logger) throws {
        let startTime = DispatchTime.now().uptimeNanoseconds
        self.logger = logger
        guard ListenAddress.isLoopback(options.host) || options.insecureNoAuth else {
            throw CLIError.usage(
                "refusing to listen on \(options.host): this node does not verify request signatures yet, so anyone "
                    + "who can reach the port could manage its functions. Listen on 127.0.0.1 (the default), or pass "
                    + "--insecure-no-auth to accept that risk on a network you trust.")
        }
        if !ListenAddress.isLoopback(options.host) {
            logger.warning(
                "listening beyond loopback without request signature verification", [("http.host", options.host)])
        }

        let directory = options.dataDirectory
        do {
            try FileSystem.makeDirectories(directory, mode: 0o700)
        } catch {
            throw CLIError.failure("cannot create the data directory \(directory): \(error)")
        }
        let lock = open("\(directory)/node.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            throw CLIError.failure(
                "cannot open \(directory)/node.lock: \(String(cString: strerror(errno))); is the data directory yours?")
        }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw CLIError.failure("another node is already using the data directory \(directory)")
        }
        lockDescriptor = lock
        var started = false
        defer { if !started { close(lock) } }

        let store = try SQLiteStore(path: "\(directory)/swiftlet.db")
        let codeStore = try FileCodeStore(root: "\(directory)/code")
        let linkKey = try Self.loadOrCreateKey(at: "\(directory)/node.key")
        let removed = codeStore.sweep { (try? store.codeReferences(sha256Hex: $0)) ?? 1 > 0 }
        if removed > 0 { logger.info("removed unused code files", [("code.files_removed", "\(removed)")]) }

        reactor = try Reactor(name: "swiftlet.reactor", logger: logger.child("reactor"))
        // One parent group per data directory, so that each node can clear what its own earlier runs left.
        let nodeName = Digest.sha256(Array(URL(fileURLWithPath: directory).standardizedFileURL.path.utf8))
            .hexString.prefix(16)
        let cgroups =
            options.sandbox != "process" && getuid() == 0
            ? CgroupController.detectWithResourceLimits(node: String(nodeName))
            : CgroupController.detect(node: String(nodeName))
        var namespaced = options.sandbox == "namespace"
        if options.sandbox == "auto" {
            if let reason = NamespaceSandbox.unavailability(cgroups: cgroups) {
                logger.warning(
                    "functions are not isolated from each other or from the host: they run as plain processes",
                    [("sandbox.reason", reason)])
            } else {
                namespaced = true
            }
        }
        if let caveat = cgroups.unavailableReason {
            logger.warning("memory limits are not enforced", [("cgroup.reason", caveat)])
        }
        let sandbox: any Sandbox = namespaced ? NamespaceSandbox(cgroups: cgroups) : ProcessSandbox(cgroups: cgroups)
        let resolver = RuntimeResolver(
            settings: RuntimeSettings(runtimesDirectory: options.runtimesDirectory, interpreters: options.interpreters))
        // Unpacked code is a cache: start from nothing so that code no function uses any more does not linger.
        FileSystem.removeTree("\(directory)/runtime/code")
        let codeCache = try CodeCache(
            root: "\(directory)/runtime/code", codeStore: codeStore, unpackedLimit: options.limits.codeSizeUnzipped)
        functionLogs = FunctionLogWriter(store: store, logger: logger.child("logs"))
        var schedulerConfiguration = SchedulerConfiguration(
            workDirectory: "\(directory)/runtime/environments", nodeEndpoint: "http://\(options.host):\(options.port)")
        schedulerConfiguration.idleTimeout = options.idleTimeout
        schedulerConfiguration.freezeAfter = options.freezeAfter
        schedulerConfiguration.memoryBudgetMB = options.memoryBudgetMB ?? Self.hostMemoryMB().map { $0 * 4 / 5 }
        schedulerConfiguration.bytecodeCacheDirectory = "\(directory)/runtime/pycache"
        FileSystem.removeTree(schedulerConfiguration.workDirectory)
        scheduler = try Scheduler(
            configuration: schedulerConfiguration, sandbox: sandbox, resolver: resolver, codeCache: codeCache,
            logs: functionLogs, reactor: reactor, logger: logger.child("runtime"))
        var runtimeConfiguration = HTTPServerConfiguration()
        runtimeConfiguration.listens = false
        runtimeConfiguration.reportsLocalPort = true
        runtimeConfiguration.threads = 2
        runtimeConfiguration.maxBodyBytes = RuntimeAPI.maxResponseBytes
        runtimeConfiguration.idleTimeoutSeconds = 0
        runtimeServer = try HTTPServer(
            configuration: runtimeConfiguration, handler: RuntimeAPI(scheduler: scheduler),
            logger: logger.child("runtime.http"))
        scheduler.attach(runtimeServer: runtimeServer)

        var configuration = LambdaServiceConfiguration()
        configuration.accountId = options.accountId
        configuration.region = options.region
        configuration.limits = options.limits
        configuration.endpoint = "http://\(options.host):\(options.port)"
        let concurrency = ConcurrencyLimiter(accountLimit: options.limits.concurrentExecutions) { account, region in
            (try? store.reservedConcurrencyTotal(accountId: account, region: region)) ?? 0
        }
        let service = LambdaService(
            configuration: configuration, store: store, codeStore: codeStore, linkKey: linkKey,
            logger: logger.child("lambda"), scheduler: scheduler, runtimes: resolver, concurrency: concurrency)
        let readiness = Readiness()
        let api = LambdaAPI(service: service, readiness: readiness)
        let logsAPI = LogsAPI(
            configuration: LogsServiceConfiguration(accountId: options.accountId, region: options.region),
            store: store, logger: logger.child("logs"))
        retention = LogRetentionSweeper(store: store, logger: logger.child("logs.retention"))
        retention.start()
        queues = try QueueService(
            store: try SQLiteQueueStore(path: "\(directory)/queues.db"), logger: logger.child("sqs"))
        let sqsAPI = SQSAPI(service: queues, accountId: options.accountId, region: options.region)
        asyncEvents = try Self.openEvents(
            queues: queues, logger: logger.child("events"), timeScale: options.asyncTimeScale)
        eventSources = EventSourcePollers(queues: queues, logger: logger.child("event_sources"))

        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.host = options.host
        serverConfiguration.port = options.port
        serverConfiguration.threads = options.threads
        serverConfiguration.maxBodyBytes = options.limits.controlRequestBytes
        do {
            server = try HTTPServer(
                configuration: serverConfiguration, handler: NodeRouter(lambda: api, logs: logsAPI, sqs: sqsAPI),
                logger: logger.child("http"))
        } catch {
            throw CLIError.failure("\(error)")
        }
        started = true
        scheduler.setNodeEndpoint("http://\(options.host):\(server.port)")
        (sandboxNetwork, gatewayListener) =
            namespaced
            ? Self.routeEnvironments(
                node: String(nodeName), host: options.host, server: server, scheduler: scheduler, reactor: reactor,
                logger: logger)
            : (nil, nil)
        service.restoreProvisioned()
        // Events run only now: an environment started before the sandbox network was routed would have none.
        service.attach(asyncEvents)
        service.attach(eventSources)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - startTime) / 1_000_000
        logger.info(
            "node ready",
            [
                ("node.endpoint", "http://\(options.host):\(server.port)"), ("node.data_dir", directory),
                ("node.region", options.region), ("node.account_id", options.accountId),
                ("node.sandbox", namespaced ? "namespace" : "process"),
                ("node.startup_ms", String(format: "%.1f", elapsed)),
            ])
        // Ready only once the line saying so is written, so a client that sees the node ready finds it logged.
        readiness.markReady()
    }

    /// Opens the node's queue of asynchronous events, waiting for the store (the node is not serving yet).
    static func openEvents(queues: QueueService, logger: Logger, timeScale: Double) throws -> AsyncInvocations {
        let opened = Mutex<Result<AsyncInvocations, AWSError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do throws(AWSError) {
                let events = try await AsyncInvocations(queues: queues, logger: logger, timeScale: timeScale)
                opened.withLock { $0 = .success(events) }
            } catch {
                opened.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch opened.withLock({ $0 }) {
        case .success(let events): return events
        case .failure(let error): throw CLIError.failure("cannot open the queue of asynchronous events: \(error)")
        case nil: throw CLIError.failure("cannot open the queue of asynchronous events")
        }
    }

    /// The host's memory in megabytes, from `/proc/meminfo`.
    static func hostMemoryMB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes / 1024
    }

    /// Stops serving; held requests are answered first.
    public func stop() {
        server.stop()
        asyncEvents.stop()
        eventSources.stop()
        scheduler.shutdown()
        if let gatewayListener {
            reactor.remove(gatewayListener)
            close(gatewayListener)
        }
        sandboxNetwork?.close()
        runtimeServer.stop()
        reactor.stop()
        functionLogs.close()
        retention.stop()
        queues.close()
        close(lockDescriptor)
        logger.info("node stopped")
    }

    /// Gives namespaced environments their routed network and the node an address on it; without one (no
    /// nftables, say) they reach nothing but their Runtime API, which is logged as a warning.
    static func routeEnvironments(
        node: String, host: String, server: HTTPServer, scheduler: Scheduler, reactor: Reactor, logger: Logger
    ) -> (SandboxNetwork?, Int32?) {
        let network: SandboxNetwork
        do {
            network = try SandboxNetwork.create(node: node, nodePort: server.port, logger: logger.child("network"))
        } catch {
            logger.warning(
                "namespaced functions have no network beyond their Runtime API: not the node, not the internet",
                [("net.reason", "\(error)")])
            return (nil, nil)
        }
        var listener: Int32?
        // A node listening on every address is already reachable at the gateway.
        if !["0.0.0.0", "::", ""].contains(host) {
            do {
                let opened = try HTTPServer.openListener(address: network.gateway, port: server.port)
                try server.serveConnections(from: opened.socket, reactor: reactor)
                listener = opened.socket
            } catch {
                logger.warning(
                    "namespaced functions cannot reach the node's API", [("net.gateway", network.gatewayAddress)])
            }
        }
        scheduler.attach(network: network, nodePort: server.port)
        return (network, listener)
    }

    /// The node's secret for signing links, created with owner-only permissions on first start.
    static func loadOrCreateKey(at path: String) throws -> [UInt8] {
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else {
                throw CLIError.failure("\(path) is not a key this node wrote (\(data.count) bytes, not 32); remove it")
            }
            return Array(data)
        }
        let key = Digest.randomBytes(32)
        try FileSystem.writeAtomically(Data(key), to: path, mode: 0o600)
        return key
    }
}
