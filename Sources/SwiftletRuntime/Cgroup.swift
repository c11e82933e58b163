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
        let parent: String
        switch flavor {
        case .unified(let path), .legacyMemory(let path): parent = path
        case .unavailable: return
        }
        guard let children = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for child in children where !child.contains(".") {
            var info = stat()
            guard stat("\(parent)/\(child)", &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            Cgroup(path: "\(parent)/\(child)", flavor: flavor).destroy()
        }
    }

    /// Removes the node's parent group, and any environment group left in it.
    public func removeParent() {
        removeLeftovers()
        switch flavor {
        case .unified(let path), .legacyMemory(let path): rmdir(path)
        case .unavailable: break
        }
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

    /// Creates the group for one environment with a memory limit, swap included where the kernel allows.
    public func create(name: String, memoryLimitBytes: Int64) -> Cgroup? {
        switch flavor {
        case .unavailable: return nil
        case .unified(let parent):
            let path = "\(parent)/\(name)"
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else { return nil }
            write("\(memoryLimitBytes)", to: "\(path)/memory.max")
            write("0", to: "\(path)/memory.swap.max")
            return Cgroup(path: path, flavor: flavor)
        case .legacyMemory(let parent):
            let path = "\(parent)/\(name)"
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else { return nil }
            write("\(memoryLimitBytes)", to: "\(path)/memory.limit_in_bytes")
            write("\(memoryLimitBytes)", to: "\(path)/memory.memsw.limit_in_bytes")
            return Cgroup(path: path, flavor: flavor)
        }
    }

    fileprivate func write(_ text: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = text.withCString { Foundation.write(descriptor, $0, strlen($0)) }
        close(descriptor)
    }
}

/// One environment's group.
public struct Cgroup: Sendable {
    public let path: String
    let flavor: CgroupFlavor

    /// Moves a process into the group.
    public func add(pid: pid_t) -> Bool {
        let descriptor = open("\(path)/cgroup.procs", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let text = "\(pid)"
        return text.withCString { Foundation.write(descriptor, $0, strlen($0)) } > 0
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

    /// Kills whatever is left in the group and removes it.
    public func destroy() {
        if let pids = try? String(contentsOfFile: "\(path)/cgroup.procs", encoding: .utf8) {
            for line in pids.split(separator: "\n") {
                if let pid = pid_t(line) { kill(pid, SIGKILL) }
            }
        }
        // A group can be removed only once empty; the kernel empties it shortly after the kills.
        for _ in 0..<50 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(2000)
        }
    }

    private func readNumber(_ file: String) -> Int64? {
        FileSystem.readNumber("\(path)/\(file)")
    }
}
