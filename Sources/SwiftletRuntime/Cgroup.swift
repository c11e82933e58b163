import Foundation
import SwiftletSystem

/// Which cgroup hierarchy the host offers for memory control.
public enum CgroupFlavor: Sendable, Equatable {
    /// The unified hierarchy (cgroup v2), rooted at the given folder.
    case unified(String)
    /// The v1 memory controller, mounted at the given folder.
    case legacyMemory(String)
    /// No usable memory controller; carries why, for the operator and the function's log.
    case unavailable(String)
}

/// Creates, limits and removes one cgroup per environment below a `swiftlet` parent group.
public struct CgroupController: Sendable {
    public let flavor: CgroupFlavor
    /// With cgroup v1, the node's parent groups in the `cpu` and `pids` hierarchies, when CPU and process limits
    /// were asked for and the host mounts them; empty otherwise.
    public private(set) var legacyLimitParents: [String] = []

    init(flavor: CgroupFlavor) {
        self.flavor = flavor
    }

    /// Like ``detect(root:node:)``, but also readies the CPU and process-count controllers that
    /// ``create(name:memoryLimitBytes:limits:)`` uses: enabled for children on v2, a parent group in each v1
    /// hierarchy. A controller the host lacks leaves its limit unset.
    public static func detectWithResourceLimits(root: String = "/sys/fs/cgroup", node: String) -> CgroupController {
        var controller = locate(root: root, parentName: "swiftlet/\(node)")
        switch controller.flavor {
        case .unified(let parent):
            var level = root
            for component in "swiftlet/\(node)".split(separator: "/") {
                for name in ["+cpu", "+pids"] { writeControl(name, to: "\(level)/cgroup.subtree_control") }
                level += "/\(component)"
            }
            for name in ["+cpu", "+pids"] { writeControl(name, to: "\(parent)/cgroup.subtree_control") }
        case .legacyMemory:
            for (hierarchy, probe) in [
                ("cpu", "cpu.cfs_quota_us"), ("pids", "cgroup.procs"), ("freezer", "cgroup.procs"),
            ]
            where FileManager.default.fileExists(atPath: "\(root)/\(hierarchy)/\(probe)") {
                let parent = "\(root)/\(hierarchy)/swiftlet/\(node)"
                if (try? FileSystem.makeDirectories(parent)) != nil { controller.legacyLimitParents.append(parent) }
            }
        case .unavailable: break
        }
        controller.removeLeftovers()
        return controller
    }

    /// Finds the memory controller and creates the node's parent group, `swiftlet/<node>`, emptying what an earlier
    /// run of the same node left there. Never throws: without cgroups, environments run unlimited and say so.
    public static func detect(root: String = "/sys/fs/cgroup", node: String) -> CgroupController {
        let controller = locate(root: root, parentName: "swiftlet/\(node)")
        controller.removeLeftovers()
        return controller
    }

    /// Removes the groups of environments a previous run of this node left behind (it was killed, say), killing
    /// any process still in them.
    func removeLeftovers() {
        let parents: [String]
        switch flavor {
        case .unified(let path), .legacyMemory(let path): parents = [path] + legacyLimitParents
        case .unavailable: return
        }
        for parent in parents {
            guard let children = try? FileManager.default.contentsOfDirectory(atPath: parent) else { continue }
            for child in children where !child.contains(".") {
                var info = stat()
                guard stat("\(parent)/\(child)", &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
                Cgroup(path: "\(parent)/\(child)", flavor: flavor).destroy()
            }
        }
    }

    /// Removes the node's parent group, and any environment group left in it.
    public func removeParent() {
        removeLeftovers()
        switch flavor {
        case .unified(let path), .legacyMemory(let path): rmdir(path)
        case .unavailable: break
        }
        for parent in legacyLimitParents { rmdir(parent) }
    }

    private static func locate(root: String, parentName: String) -> CgroupController {
        if FileManager.default.fileExists(atPath: "\(root)/cgroup.controllers") {
            let controllers = (try? String(contentsOfFile: "\(root)/cgroup.controllers", encoding: .utf8)) ?? ""
            guard controllers.split(whereSeparator: \.isWhitespace).contains("memory") else {
                return CgroupController(flavor: .unavailable("the cgroup v2 hierarchy has no memory controller"))
            }
            // Every level must hand the memory controller down to the next.
            var level = root
            for component in parentName.split(separator: "/") {
                writeControl("+memory", to: "\(level)/cgroup.subtree_control")
                level += "/\(component)"
                if mkdir(level, 0o755) != 0 && errno != EEXIST {
                    return CgroupController(
                        flavor: .unavailable("cannot create \(level): \(String(cString: strerror(errno)))"))
                }
            }
            writeControl("+memory", to: "\(level)/cgroup.subtree_control")
            return CgroupController(flavor: .unified(level))
        }
        let memory = "\(root)/memory"
        if FileManager.default.fileExists(atPath: "\(memory)/memory.limit_in_bytes") {
            let parent = "\(memory)/\(parentName)"
            do {
                try FileSystem.makeDirectories(parent)
            } catch {
                return CgroupController(flavor: .unavailable("cannot create \(parent): \(error)"))
            }
            return CgroupController(flavor: .legacyMemory(parent))
        }
        return CgroupController(flavor: .unavailable("no cgroup memory controller is mounted at \(root)"))
    }

    private static func writeControl(_ text: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = text.withCString { Foundation.write(descriptor, $0, strlen($0)) }
        close(descriptor)
    }

    /// Why limits are not enforced, or nil when they are.
    public var unavailableReason: String? {
        if case .unavailable(let reason) = flavor { return reason }
        return nil
    }

    /// Creates the group for one environment with a memory limit, swap included where the kernel allows, and
    /// the CPU and process limits of `limits` where the controllers are there (see
    /// ``detectWithResourceLimits(root:node:)``).
    public func create(name: String, memoryLimitBytes: Int64, limits: ResourceLimits? = nil) -> Cgroup? {
        let period = 100_000
        let quota = limits.map { max(1_000, Int($0.cpus * Double(period))) }
        switch flavor {
        case .unavailable: return nil
        case .unified(let parent):
            let path = "\(parent)/\(name)"
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else { return nil }
            write("\(memoryLimitBytes)", to: "\(path)/memory.max")
            write("0", to: "\(path)/memory.swap.max")
            if let limits, let quota {
                write("\(quota) \(period)", to: "\(path)/cpu.max")
                write("\(limits.maxProcesses)", to: "\(path)/pids.max")
            }
            return Cgroup(path: path, flavor: flavor)
        case .legacyMemory(let parent):
            let path = "\(parent)/\(name)"
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else { return nil }
            write("\(memoryLimitBytes)", to: "\(path)/memory.limit_in_bytes")
            write("\(memoryLimitBytes)", to: "\(path)/memory.memsw.limit_in_bytes")
            var extras: [String] = []
            if let limits, let quota {
                for legacyParent in legacyLimitParents {
                    let extra = "\(legacyParent)/\(name)"
                    guard mkdir(extra, 0o755) == 0 || errno == EEXIST else { continue }
                    extras.append(extra)
                    if legacyParent.contains("/pids/") {
                        write("\(limits.maxProcesses)", to: "\(extra)/pids.max")
                    } else if !legacyParent.contains("/freezer/") {
                        write("\(period)", to: "\(extra)/cpu.cfs_period_us")
                        write("\(quota)", to: "\(extra)/cpu.cfs_quota_us")
                    }
                }
            }
            return Cgroup(path: path, flavor: flavor, limitPaths: extras)
        }
    }

    fileprivate func write(_ text: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = text.withCString { Foundation.write(descriptor, $0, strlen($0)) }
        close(descriptor)
    }
}

/// CPU and process-count limits of one environment.
public struct ResourceLimits: Sendable, Equatable {
    /// Share of CPU time, in cores (1.0 is one full core).
    public var cpus: Double
    /// Most processes and threads the environment may have at once.
    public var maxProcesses: Int

    public init(cpus: Double, maxProcesses: Int) {
        self.cpus = cpus
        self.maxProcesses = maxProcesses
    }

    /// AWS's rule: CPU grows with memory, one full core at 1,769 MB.
    // Limitation: the share is a hard quota, so a small function (7% of a core at 128 MB) starts slowly, as on AWS.
    public static func forMemory(megabytes: Int, maxProcesses: Int = 1024) -> ResourceLimits {
        ResourceLimits(cpus: Double(megabytes) / 1769, maxProcesses: maxProcesses)
    }
}

/// One environment's group.
public struct Cgroup: Sendable {
    public let path: String
    let flavor: CgroupFlavor
    /// With cgroup v1, the environment's groups in the `cpu` and `pids` hierarchies.
    public let limitPaths: [String]

    init(path: String, flavor: CgroupFlavor, limitPaths: [String] = []) {
        self.path = path
        self.flavor = flavor
        self.limitPaths = limitPaths
    }

    /// Every `cgroup.procs` file a process must be written to, to join the environment in all hierarchies.
    public var processFiles: [String] { ([path] + limitPaths).map { "\($0)/cgroup.procs" } }

    /// Moves a process into the group (in every hierarchy).
    public func add(pid: pid_t) -> Bool {
        processFiles.allSatisfy { file in
            let descriptor = open(file, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            let text = "\(pid)"
            return text.withCString { Foundation.write(descriptor, $0, strlen($0)) } > 0
        }
    }

    /// The most memory the group has used, in bytes.
    public func peakMemoryBytes() -> Int64? {
        switch flavor {
        case .unified: return readNumber("memory.peak") ?? readNumber("memory.current")
        case .legacyMemory: return readNumber("memory.max_usage_in_bytes")
        case .unavailable: return nil
        }
    }

    /// True when the kernel killed a process of the group for exceeding its memory limit.
    public func wasOutOfMemory() -> Bool {
        switch flavor {
        case .unified:
            guard let events = try? String(contentsOfFile: "\(path)/memory.events", encoding: .utf8) else {
                return false
            }
            return events.split(separator: "\n").contains { line in
                let parts = line.split(separator: " ")
                return parts.count == 2 && parts[0] == "oom_kill" && parts[1] != "0"
            }
        case .legacyMemory:
            guard let control = try? String(contentsOfFile: "\(path)/memory.oom_control", encoding: .utf8) else {
                return false
            }
            if control.split(separator: "\n").contains(where: { $0.hasPrefix("oom_kill ") && !$0.hasSuffix(" 0") }) {
                return true
            }
            return (readNumber("memory.failcnt") ?? 0) > 0 && (readNumber("memory.max_usage_in_bytes") ?? 0) > 0
                && (readNumber("memory.max_usage_in_bytes") ?? 0) >= (readNumber("memory.limit_in_bytes") ?? .max)
        case .unavailable: return false
        }
    }

    /// Freezes (or thaws) every process of the group: v2's `cgroup.freeze`, else the v1 freezer hierarchy's
    /// `freezer.state`. False when the host offers neither for this group.
    @discardableResult
    public func setFrozen(_ frozen: Bool) -> Bool {
        let (file, text): (String, String)
        if case .unified = flavor {
            (file, text) = ("\(path)/cgroup.freeze", frozen ? "1" : "0")
        } else if let freezer = limitPaths.first(where: { $0.contains("/freezer/") }) {
            (file, text) = ("\(freezer)/freezer.state", frozen ? "FROZEN" : "THAWED")
        } else {
            return false
        }
        let descriptor = open(file, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return text.withCString { Foundation.write(descriptor, $0, strlen($0)) } > 0
    }

    /// Kills whatever is left in the group and removes it.
    public func destroy() {
        // A group can be removed only once empty; the kernel empties it shortly after the kills. Processes that
        // were forking while killed (a fork bomb) may leave new ones, so every round kills what is left again.
        for group in [path] + limitPaths {
            // A frozen process dies of SIGKILL only once thawed (cgroup v1): this also reaches the groups of a node
            // killed while environments were frozen, which a restart finds by folder alone.
            Self.thaw(group)
            for round in 0..<250 {
                if round % 10 == 0, let pids = try? String(contentsOfFile: "\(group)/cgroup.procs", encoding: .utf8) {
                    for line in pids.split(separator: "\n") {
                        if let pid = pid_t(line) { kill(pid, SIGKILL) }
                    }
                }
                if rmdir(group) == 0 || errno == ENOENT { break }
                usleep(2000)
            }
        }
    }

    private static func thaw(_ group: String) {
        for (file, text) in [("freezer.state", "THAWED"), ("cgroup.freeze", "0")] {
            let descriptor = open("\(group)/\(file)", O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            _ = text.withCString { Foundation.write(descriptor, $0, strlen($0)) }
            close(descriptor)
        }
    }

    private func readNumber(_ file: String) -> Int64? {
        FileSystem.readNumber("\(path)/\(file)")
    }
}
