import CNetwork
import Foundation
import SwiftletLauncher
import SwiftletSystem
import Synchronization

/// Environments walled off with Linux namespaces: each has its own mount, PID, IPC, UTS and network namespace,
/// sees its code read-only at `/var/task`, the host's system folders read-only, a private `/tmp` of its ephemeral
/// storage size and nothing of the node's data directory; it runs in a cgroup with memory, CPU and process-count
/// limits, with no capabilities, no_new_privs and a seccomp filter.
///
/// `start` runs the launcher, `swiftlet-sandbox` beside the node's binary or else the binary itself as
/// `swiftlet sandbox-exec` (see ``NamespaceLauncher``), which joins
/// the cgroup and the namespaces, forks the runtime as PID 1 of its PID namespace and waits for it. The node
/// keeps the launcher's pid: its exit is the runtime's exit, and killing its process group kills PID 1, which
/// takes every process of the namespace with it. Needs root.
public final class NamespaceSandbox: Sandbox {
    public let name = "namespace"
    private let cgroups: CgroupController
    /// The launcher's command, before the plan's arguments.
    let launcher: [String]

    /// Where the function's code appears inside the sandbox.
    public static let taskRoot = "/var/task"
    /// Where the private temporary folder appears inside the sandbox.
    public static let temporaryRoot = "/tmp"
    /// Where the function's layers appear, merged, inside the sandbox.
    public static let optRoot = "/opt"

    /// - Parameters:
    ///   - cgroups: a controller from ``CgroupController/detectWithResourceLimits(root:node:)``.
    ///   - launcher: the `swiftlet` binary; by default the running one. The `swiftlet-sandbox` beside it is
    ///     preferred (it starts faster); without one, the binary itself serves `sandbox-exec`.
    public init(cgroups: CgroupController, launcher: String? = nil) {
        self.cgroups = cgroups
        let swiftlet = launcher ?? Self.runningExecutable()
        let sibling = URL(fileURLWithPath: swiftlet).deletingLastPathComponent()
            .appendingPathComponent(NamespaceLauncher.executableName).path
        self.launcher =
            FileManager.default.isExecutableFile(atPath: sibling)
            ? [sibling] : [swiftlet, NamespaceLauncher.subcommand]
    }

    public var memoryLimitCaveat: String? { cgroups.unavailableReason }

    /// Why this host cannot run the namespace sandbox, or nil when it can: it needs root, the cgroups of
    /// `cgroups` (from ``CgroupController/detectWithResourceLimits(root:node:)``) and new namespaces.
    public static func unavailability(cgroups: CgroupController) -> String? {
        guard getuid() == 0 else { return "the namespace sandbox needs root" }
        if let reason = cgroups.unavailableReason { return reason }
        var request = swiftlet_namespace_request(
            listener_port: 0, host_link: nil, bridge_index: 0, address: 0, gateway: 0, prefix_length: 0)
        var namespace: Int32 = -1
        let listener = swiftlet_network_namespace(&request, &namespace)
        guard listener >= 0 else {
            return "this host refuses new network namespaces: \(String(cString: strerror(-listener)))"
        }
        Foundation.close(listener)
        Foundation.close(namespace)
        return nil
    }

    public var isolatesNetwork: Bool { true }

    public func close() {
        cgroups.removeParent()
    }

    // Limitation: isolation adds 6-7 ms to a cold start (the launcher's start, joining the cgroups, the root's
    // mounts, init's fork), and without swiftlet-sandbox beside the node's binary (a copied binary, say)
    // environments are launched through swiftlet itself, whose start (loading Foundation) adds about 20 ms more.
    // Limitation: functions run as uid 0 (with no capabilities, no_new_privs and a seccomp filter), not as an
    // unprivileged user as on AWS.
    public func start(_ spec: SandboxSpec) throws -> any SandboxedProcess {
        let group = cgroups.create(
            name: spec.environmentId, memoryLimitBytes: Int64(spec.memoryMB) << 20,
            limits: .forMemory(megabytes: spec.memoryMB))
        var (plan, environment) = Self.plan(for: spec)
        plan.cgroupProcessFiles = group?.processFiles ?? []

        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(
                ChildProcessSpec(
                    executable: launcher[0], arguments: launcher + plan.encoded, environment: environment,
                    directory: "/", outputDescriptor: spec.outputDescriptor,
                    inheritedDescriptors: spec.networkNamespace.map { [$0] } ?? []))
        } catch {
            group?.destroy()
            throw error
        }
        return NamespacedProcess(process: process, cgroup: group)
    }

    /// The launcher's instructions for `spec` and the runtime's environment: paths under the code and temporary
    /// folders are rewritten to where the environment sees them (`LAMBDA_TASK_ROOT` becomes `/var/task`, `TMPDIR`
    /// becomes `/tmp`).
    static func plan(for spec: SandboxSpec) -> (NamespacePlan, [String: String]) {
        let translate = { (value: String) in
            Self.translate(
                value, code: spec.codeDirectory, temporary: spec.temporaryDirectory, layers: spec.layerDirectories)
        }
        var environment = spec.environment.mapValues(translate)
        // The node's shared bytecode cache is not in the sandbox, and one in /tmp would make every cold start
        // recompile the standard library: Python reads the bytecode installed beside the read-only sources instead.
        // Limitation: the function's own modules are compiled again at every cold start (/var/task is read-only).
        environment.removeValue(forKey: "PYTHONPYCACHEPREFIX")
        if spec.networkNamespace != nil {
            environment["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(NamespacePlan.runtimeAPIPort)"
        }
        let plan = NamespacePlan(
            executable: translate(spec.executable), arguments: spec.arguments.map(translate), directory: taskRoot,
            root: spec.temporaryDirectory, codeDirectory: spec.codeDirectory, readOnlyPaths: spec.readOnlyPaths,
            layers: spec.layerDirectories, temporaryMB: spec.ephemeralStorageMB,
            hostname: "swiftlet-\(spec.environmentId.prefix(12))",
            joinsNetworkNamespace: spec.networkNamespace != nil, cgroupProcessFiles: [])
        return (plan, environment)
    }

    /// Rewrites each `:`-separated part of `value` that lies in `code`, `temporary` or one of the `layers` to the
    /// sandbox's view (every layer becomes `/opt`, where they are merged); a part named twice is kept once.
    static func translate(_ value: String, code: String, temporary: String, layers: [String] = []) -> String {
        let mapping = [(code, taskRoot), (temporary, temporaryRoot)] + layers.map { ($0, optRoot) }
        var seen = Set<String>()
        var parts: [String] = []
        for part in value.split(separator: ":", omittingEmptySubsequences: false) {
            var translated = String(part)
            for (host, inside) in mapping {
                if part == host {
                    translated = inside
                    break
                }
                if part.hasPrefix(host + "/") {
                    translated = inside + part.dropFirst(host.count)
                    break
                }
            }
            if translated.isEmpty || seen.insert(translated).inserted { parts.append(translated) }
        }
        return parts.joined(separator: ":")
    }

    private static func runningExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The launcher process of a namespaced environment and its cgroup.
final class NamespacedProcess: SandboxedProcess {
    let process: ChildProcess
    let cgroup: Cgroup?
    /// The runtime's pid as the host sees it, once found.
    private let runtimePid = Mutex<pid_t?>(nil)

    init(process: ChildProcess, cgroup: Cgroup?) {
        self.process = process
        self.cgroup = cgroup
    }

    /// The larger of the group's peak and the runtime's own high-water mark, as for a plain process: pages of
    /// shared libraries another group faulted in first count in the runtime's resident set but not in the group.
    func peakMemoryBytes() -> Int64? {
        let candidates = [cgroup?.peakMemoryBytes(), runtime().flatMap(PlainProcess.highWaterMark(of:))]
        return candidates.compactMap { $0 }.max()
    }

    /// The runtime is PID 2 of its namespace: the member of the group whose innermost pid is 2.
    private func runtime() -> pid_t? {
        if let known = runtimePid.withLock({ $0 }) { return known }
        guard let cgroup, let members = try? String(contentsOfFile: cgroup.processFiles[0], encoding: .utf8) else {
            return nil
        }
        for member in members.split(separator: "\n").compactMap({ pid_t($0) }) {
            guard let status = try? String(contentsOfFile: "/proc/\(member)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") }),
                line.split(whereSeparator: { $0 == "\t" || $0 == " " }).last == "2"
            else { continue }
            runtimePid.withLock { $0 = member }
            return member
        }
        return nil
    }

    func wasOutOfMemory() -> Bool { cgroup?.wasOutOfMemory() ?? false }

    /// Kills the launcher and PID 1 of the namespace (they share a process group); the kernel then kills every
    /// other process of the namespace, and PID 1 also dies with the launcher (parent-death signal).
    func terminate() {
        process.killGroup(SIGKILL)
        // A frozen process dies of SIGKILL only once thawed (cgroup v1).
        cgroup?.setFrozen(false)
    }

    func cleanUp() { cgroup?.destroy() }

    func freeze() -> Bool { cgroup?.setFrozen(true) ?? false }

    func thaw() { cgroup?.setFrozen(false) }
}
