import Foundation
import SwiftletModel
import SwiftletStore
import SwiftletSystem
import Synchronization

/// One execution environment: a runtime process, its Runtime API endpoint, its log stream.
///
/// Its scheduling state lives in its pool (see ``EnvironmentPool``); this object holds what is fixed at start and
/// the reading of its output.
final class Environment: Sendable {
    let id: String
    /// The pool that schedules this environment; the pool drops its slot when the environment ends.
    let pool: EnvironmentPool
    /// Whether the environment's `MemorySize` still counts against the node's memory budget.
    let holdsMemory = Atomic<Bool>(false)
    let logStream: String
    let endpoint: RuntimeEndpoint
    let spawnedAt: UInt64
    /// The read end of the pipe carrying the runtime's standard output and error.
    let outputDescriptor: Int32
    private let process = Mutex<(any SandboxedProcess)?>(nil)
    /// Left once the process is attached, or its start failed: a fast runtime can ask for, run and answer its first
    /// event before the thread that started it has recorded the process.
    private let started = DispatchGroup()
    private let released = Atomic<Bool>(false)
    private let output = Mutex<OutputState>(OutputState())
    private let logs: FunctionLogWriter
    private let accountId: String
    private let region: String
    private let logGroup: String

    private struct OutputState {
        var partial: [UInt8] = []
        var invocation: Invocation?
        var closed = false
    }

    init(
        id: String, pool: EnvironmentPool, version: String, endpoint: RuntimeEndpoint, outputDescriptor: Int32,
        logs: FunctionLogWriter,
        accountId: String, region: String, logGroup: String
    ) {
        self.id = id
        self.pool = pool
        self.endpoint = endpoint
        self.outputDescriptor = outputDescriptor
        self.logs = logs
        self.accountId = accountId
        self.region = region
        self.logGroup = logGroup
        self.spawnedAt = DispatchTime.now().uptimeNanoseconds
        started.enter()
        let day = Timestamp.iso8601(Date()).prefix(10).replacingOccurrences(of: "-", with: "/")
        self.logStream = "\(day)/[\(version)]\(id)"
    }

    func attach(_ sandboxed: any SandboxedProcess) {
        process.withLock { $0 = sandboxed }
        started.leave()
    }

    /// Called when the process could not be started.
    func startFailed() {
        started.leave()
    }

    /// The process, once the starting thread has recorded it.
    var sandboxed: (any SandboxedProcess)? {
        if let known = process.withLock({ $0 }) { return known }
        _ = started.wait(timeout: .now() + 2)
        return process.withLock { $0 }
    }

    /// Lines written from now on also go to `invocation`'s tail; nil stops that.
    func collect(for invocation: Invocation?) {
        output.withLock { $0.invocation = invocation }
    }

    /// Writes a platform line (START, END, REPORT, ...) to the stream, and to the current invocation's tail.
    func platformLine(_ line: String, invocation: Invocation? = nil) {
        invocation?.recordLine(line)
        logs.append(
            accountId: accountId, region: region, group: logGroup, stream: logStream,
            lines: [LogLine(timestamp: Self.nowMillis(), message: line)])
    }

    /// Reads whatever the runtime wrote so far; called by the reactor when the pipe is readable and before an
    /// invocation is reported, so that its lines precede END. Returns false at end of file.
    @discardableResult
    func drainOutput() -> Bool {
        output.withLock { state in
            guard !state.closed else { return false }
            var buffer = [UInt8](repeating: 0, count: 65536)
            var lines: [String] = []
            var open = true
            while true {
                let count = buffer.withUnsafeMutableBytes { read(outputDescriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    state.partial.append(contentsOf: buffer[0..<count])
                    while let newline = state.partial.firstIndex(of: 0x0a) {
                        lines.append(String(decoding: state.partial[..<newline], as: UTF8.self))
                        state.partial.removeSubrange(...newline)
                    }
                    if state.partial.count > 256 * 1024 {
                        lines.append(String(decoding: state.partial, as: UTF8.self))
                        state.partial.removeAll()
                    }
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                if count == 0 {
                    open = false
                    if !state.partial.isEmpty {
                        lines.append(String(decoding: state.partial, as: UTF8.self))
                        state.partial.removeAll()
                    }
                }
                break
            }
            if !lines.isEmpty {
                let now = Self.nowMillis()
                for line in lines { state.invocation?.recordLine(line) }
                logs.append(
                    accountId: accountId, region: region, group: logGroup, stream: logStream,
                    lines: lines.map { LogLine(timestamp: now, message: $0) })
            }
            // At end of file reading stops; the descriptor is closed by ``closeOutput()`` once nothing watches it,
            // so that its number cannot be reused while a watch on it is still being removed.
            if !open { state.closed = true }
            return open
        }
    }

    /// True for the one caller that gets to release the environment's resources.
    func claimRelease() -> Bool {
        !released.exchange(true, ordering: .acquiringAndReleasing)
    }

    /// Closes the output pipe; called once, after the reactor stopped watching it.
    func closeOutput() {
        output.withLock { $0.closed = true }
        close(outputDescriptor)
    }

    /// Milliseconds since the environment was spawned.
    var ageMilliseconds: Double {
        Double(DispatchTime.now().uptimeNanoseconds - spawnedAt) / 1_000_000
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
