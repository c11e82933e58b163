import Foundation
import SwiftletSystem

/// Environments as plain child processes: their own process group and, where the host has one, their own memory
/// cgroup, but the host's filesystem, network and users. The fastest sandbox, meant for development.
public final class ProcessSandbox: Sandbox {
    public let name = "process"
    private let cgroups: CgroupController

    public init(cgroups: CgroupController) {
        self.cgroups = cgroups
    }

    public var memoryLimitCaveat: String? { cgroups.unavailableReason }

    public func close() {
        cgroups.removeParent()
    }

    public func start(_ spec: SandboxSpec) throws -> any SandboxedProcess {
        let group = cgroups.create(name: spec.environmentId, memoryLimitBytes: Int64(spec.memoryMB) << 20)
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(
                ChildProcessSpec(
                    executable: spec.executable, arguments: spec.arguments, environment: spec.environment,
                    directory: spec.codeDirectory, outputDescriptor: spec.outputDescriptor))
        } catch {
            group?.destroy()
            throw error
        }
        // Limitation: the child joins its cgroup just after it starts, so the first microseconds of the
        // interpreter's start are charged to the node's group. The namespace sandbox starts children inside it.
        if let group, !group.add(pid: process.pid) {
            process.killGroup()
            group.destroy()
            throw SystemError("cgroup.procs", path: group.path, code: EPERM)
        }
        return PlainProcess(process: process, cgroup: group)
    }
}

/// A child process and its optional cgroup.
struct PlainProcess: SandboxedProcess {
    let process: ChildProcess
    let cgroup: Cgroup?

    /// The larger of the group's peak and the runtime process's own high-water mark: pages a process touched
    /// before it joined its group are charged elsewhere, but still count as the function's.
    func peakMemoryBytes() -> Int64? {
        let candidates = [cgroup?.peakMemoryBytes(), Self.highWaterMark(of: process.pid)].compactMap { $0 }
        return candidates.max()
    }

    func wasOutOfMemory() -> Bool { cgroup?.wasOutOfMemory() ?? false }

    func terminate() {
        process.killGroup(SIGKILL)
        cgroup?.setFrozen(false)
    }

    func cleanUp() { cgroup?.destroy() }

    func freeze() -> Bool { cgroup?.setFrozen(true) ?? false }

    func thaw() { cgroup?.setFrozen(false) }

    /// VmHWM of one process, when no cgroup measures the environment as a whole.
    static func highWaterMark(of pid: pid_t) -> Int64? {
        FileSystem.readNumber("/proc/\(pid)/status", after: "VmHWM:").map { $0 * 1024 }
    }
}
