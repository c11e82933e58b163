import Dispatch
import Foundation
import SwiftletModel
import SwiftletSystem

/// `swiftlet serve`: starts a node and runs until SIGINT or SIGTERM.
enum ServeCommand {
    static let help = """
        Usage: swiftlet serve [options]

        Starts a node serving the Lambda API on one port, keeping its state in the data directory.

        Options:
          --host ADDRESS        address to listen on (default 127.0.0.1). Addresses beyond loopback need
                                --insecure-no-auth until request signatures are verified.
          --port PORT           port to listen on (default 9000; 0 picks a free one)
          --data-dir PATH       where state and code are kept (default ./.swiftlet)
          --region REGION       region for requests that name none (default us-east-1)
          --account-id ID       the 12-digit account functions belong to (default 000000000000)
          --log-level LEVEL     trace, debug, info, notice, warning, error or critical (default info;
                                debug logs every request)
          --threads N           HTTP worker threads (default: the number of cores, at least 2)
          --runtimes-dir PATH   runtime clients Swiftlet ships and installs (default: $SWIFTLET_RUNTIMES_DIR, else
                                runtimes/ of the checkout the binary was built in)
          --interpreters MAP    interpreters to use, RUNTIME=PATH pairs separated by commas, by runtime or family:
                                python3.12=/usr/bin/python3.12,nodejs=/usr/local/bin/node
          --idle-timeout SECS   seconds an idle execution environment is kept (default 300)
          --freeze-after MS     milliseconds an idle environment runs before it is frozen (default 1000; 0: never)
          --memory-budget MB    memory (by MemorySize) environments may hold together (default: 4/5 of the host's)
          --async-time-scale F  multiplies asynchronous retry delays and event ages, for tests (default 1)
          --concurrency-limit N the account's concurrent executions per region (default 1000)
          --unreserved-minimum N concurrency reservations must leave unreserved (default 100, or the limit if lower)
          --sandbox KIND        how environments are isolated: namespace (Linux namespaces, cgroup limits, seccomp,
                                a routed network; needs root), process (plain child processes) or auto (the
                                default: namespace where the host allows it, else process with a warning)
          --insecure-no-auth    allow listening on a non-loopback address without signature verification
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["insecure-no-auth"])
        try arguments.rejectUnknown([
            "host", "port", "data-dir", "region", "account-id", "log-level", "threads", "insecure-no-auth",
            "runtimes-dir", "interpreters", "idle-timeout", "sandbox", "concurrency-limit", "unreserved-minimum",
            "memory-budget", "freeze-after", "async-time-scale",
        ])
        if let extra = arguments.positional.first { throw CLIError.usage("unexpected argument '\(extra)'") }

        var options = NodeOptions()
        options.host = arguments.value("host") ?? options.host
        if let port = try arguments.integer("port") {
            guard (0...65535).contains(port) else { throw CLIError.usage("--port must be between 0 and 65535") }
            options.port = UInt16(port)
        }
        options.dataDirectory = arguments.value("data-dir") ?? options.dataDirectory
        options.region = arguments.value("region") ?? options.region
        guard FunctionReference.isRegion(options.region) else {
            throw CLIError.usage("--region must look like us-east-1, not '\(options.region)'")
        }
        options.accountId = arguments.value("account-id") ?? options.accountId
        guard FunctionReference.isAccount(options.accountId) else {
            throw CLIError.usage("--account-id must be 12 digits, not '\(options.accountId)'")
        }
        if let threads = try arguments.integer("threads") {
            guard (1...256).contains(threads) else { throw CLIError.usage("--threads must be between 1 and 256") }
            options.threads = threads
        }
        options.insecureNoAuth = arguments.flag("insecure-no-auth")
        if let directory = arguments.value("runtimes-dir") { options.runtimesDirectory = directory }
        if let map = arguments.value("interpreters") {
            for pair in map.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[1].hasPrefix("/") else {
                    throw CLIError.usage("--interpreters takes RUNTIME=/absolute/path pairs, not '\(pair)'")
                }
                options.interpreters[parts[0]] = parts[1]
            }
        }
        if let idle = try arguments.integer("idle-timeout") {
            guard idle >= 1 else { throw CLIError.usage("--idle-timeout must be at least 1 second") }
            options.idleTimeout = TimeInterval(idle)
        }
        if let text = arguments.value("async-time-scale") {
            guard let scale = Double(text), scale > 0, scale <= 1 else {
                throw CLIError.usage("--async-time-scale must be a number above 0 and at most 1, not '\(text)'")
            }
            options.asyncTimeScale = scale
        }
        if let milliseconds = try arguments.integer("freeze-after") {
            guard milliseconds >= 0 else { throw CLIError.usage("--freeze-after must be 0 (never) or more") }
            options.freezeAfter = milliseconds == 0 ? nil : TimeInterval(milliseconds) / 1000
        }
        if let budget = try arguments.integer("memory-budget") {
            guard budget >= 128 else { throw CLIError.usage("--memory-budget must be at least 128 (MB)") }
            options.memoryBudgetMB = budget
        }
        if let limit = try arguments.integer("concurrency-limit") {
            guard (1...1_000_000).contains(limit) else {
                throw CLIError.usage("--concurrency-limit must be between 1 and 1000000")
            }
            options.limits.concurrentExecutions = limit
            // A limit below the default minimum leaves nothing to reserve unless the minimum is given too.
            options.limits.minimumUnreservedConcurrency = min(options.limits.minimumUnreservedConcurrency, limit)
        }
        if let minimum = try arguments.integer("unreserved-minimum") {
            guard minimum >= 0 else { throw CLIError.usage("--unreserved-minimum must be 0 or more") }
            options.limits.minimumUnreservedConcurrency = minimum
        }
        guard options.limits.minimumUnreservedConcurrency <= options.limits.concurrentExecutions else {
            throw CLIError.usage(
                "--unreserved-minimum (\(options.limits.minimumUnreservedConcurrency)) must not exceed "
                    + "--concurrency-limit (\(options.limits.concurrentExecutions))")
        }
        if let sandbox = arguments.value("sandbox") {
            guard ["process", "namespace", "auto"].contains(sandbox) else {
                throw CLIError.usage("--sandbox must be auto, namespace or process, not '\(sandbox)'")
            }
            guard sandbox != "namespace" || getuid() == 0 else {
                throw CLIError.usage("--sandbox namespace needs root")
            }
            options.sandbox = sandbox
        }
        var level = Logger.Level.info
        if let name = arguments.value("log-level") {
            guard let parsed = Logger.Level(name: name) else {
                throw CLIError.usage("--log-level must be one of trace, debug, info, notice, warning, error, critical")
            }
            level = parsed
        }
        let logger = Logger(label: "swiftlet", level: level)

        // Signals are taken from the process and delivered to a queue, so the handler may do real work.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let node = try Node(options: options, logger: logger)
        let stopped = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "swiftlet.signals")
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                logger.info("stopping", [("process.signal", signalNumber == SIGINT ? "SIGINT" : "SIGTERM")])
                stopped.signal()
            }
            source.resume()
            sources.append(source)
        }
        stopped.wait()
        node.stop()
        sources.forEach { $0.cancel() }
        return 0
    }
}
