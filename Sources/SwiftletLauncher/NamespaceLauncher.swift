import CLinux
import CSeccomp
import Glibc

/// What the launcher is asked to do. It travels as the launcher's arguments (see ``arguments`` and
/// ``init(arguments:)``) so that the launcher needs no Foundation to read it; the runtime's environment is the
/// launcher's own.
public struct NamespacePlan: Equatable, Sendable {
    /// Port of the Runtime API inside every environment's network namespace.
    public static let runtimeAPIPort: UInt16 = 9001

    /// What to run, as the environment sees it; `arguments` includes argv[0].
    public var executable: String
    public var arguments: [String]
    /// Working directory inside the sandbox.
    public var directory: String
    /// An empty host folder on which the new root is built (visible only in the new mount namespace).
    public var root: String
    /// Host folder shown read-only at /var/task.
    public var codeDirectory: String
    /// Host folders shown read-only at the same path.
    public var readOnlyPaths: [String]
    /// Host folders merged read-only at /opt, a later one's files winning.
    public var layers: [String]
    /// Size of /tmp in MB.
    public var temporaryMB: Int
    public var hostname: String
    /// True when descriptor 3 is a network namespace to join.
    public var joinsNetworkNamespace: Bool
    /// `cgroup.procs` files the launcher writes its pid to before anything else.
    public var cgroupProcessFiles: [String]

    public init(
        executable: String, arguments: [String], directory: String, root: String, codeDirectory: String,
        readOnlyPaths: [String], layers: [String] = [], temporaryMB: Int, hostname: String,
        joinsNetworkNamespace: Bool, cgroupProcessFiles: [String]
    ) {
        self.layers = layers
        self.executable = executable
        self.arguments = arguments
        self.directory = directory
        self.root = root
        self.codeDirectory = codeDirectory
        self.readOnlyPaths = readOnlyPaths
        self.temporaryMB = temporaryMB
        self.hostname = hostname
        self.joinsNetworkNamespace = joinsNetworkNamespace
        self.cgroupProcessFiles = cgroupProcessFiles
    }

    /// The plan as launcher arguments: options, then `--`, the executable and its argv.
    public var encoded: [String] {
        var words = [
            "--root", root, "--code", codeDirectory, "--directory", directory, "--tmp-mb", "\(temporaryMB)",
            "--hostname", hostname,
        ]
        for path in readOnlyPaths { words += ["--read-only", path] }
        for path in layers { words += ["--layer", path] }
        for file in cgroupProcessFiles { words += ["--cgroup", file] }
        if joinsNetworkNamespace { words.append("--join-network") }
        return words + ["--", executable] + arguments
    }

    /// Reads the plan back from launcher arguments; nil when they are not a plan.
    public init?(arguments words: [String]) {
        var options: [String: String] = [:]
        var readOnly: [String] = []
        var layers: [String] = []
        var cgroups: [String] = []
        var joins = false
        var index = 0
        while index < words.count, words[index] != "--" {
            let word = words[index]
            if word == "--join-network" {
                joins = true
                index += 1
                continue
            }
            guard index + 1 < words.count else { return nil }
            let value = words[index + 1]
            switch word {
            case "--read-only": readOnly.append(value)
            case "--layer": layers.append(value)
            case "--cgroup": cgroups.append(value)
            case "--root", "--code", "--directory", "--tmp-mb", "--hostname": options[word] = value
            default: return nil
            }
            index += 2
        }
        guard index + 2 < words.count, let root = options["--root"], let code = options["--code"],
            let directory = options["--directory"], let megabytes = options["--tmp-mb"].flatMap({ Int($0) }),
            let hostname = options["--hostname"]
        else { return nil }
        self.init(
            executable: words[index + 1], arguments: Array(words[(index + 2)...]), directory: directory, root: root,
            codeDirectory: code, readOnlyPaths: readOnly, layers: layers, temporaryMB: megabytes, hostname: hostname,
            joinsNetworkNamespace: joins, cgroupProcessFiles: cgroups)
    }
}

/// A failed system call of the launcher.
struct LaunchError: Error, CustomStringConvertible {
    let call: String
    let path: String?
    let code: Int32

    init(_ call: String, path: String? = nil, code: Int32 = errno) {
        self.call = call
        self.path = path
        self.code = code
    }

    var description: String {
        "\(call)\(path.map { "(\($0))" } ?? ""): \(String(cString: strerror(code)))"
    }
}

/// The launcher of one namespaced environment, run as `swiftlet-sandbox` (a small executable without Foundation,
/// quick to start) or as the hidden `swiftlet sandbox-exec`. It starts single-threaded, joins the environment's
/// cgroup (so everything it starts is charged there from the first page), its network namespace, and new mount,
/// PID, IPC and UTS namespaces, then forks. The child, PID 1 of the new PID namespace, builds the root filesystem,
/// pivots into it and forks the runtime, which gives up its privileges and executes; PID 1 stays as the
/// namespace's init (see ``becomeInit(_:report:)``). The launcher waits and exits as the runtime did, so the node
/// sees the runtime's exit.
///
/// The node only ever sends SIGKILL to the launcher's process group, which init and the runtime share.
public enum NamespaceLauncher {
    /// The hidden subcommand.
    public static let subcommand = "sandbox-exec"
    /// The launcher executable installed beside `swiftlet`.
    public static let executableName = "swiftlet-sandbox"
    /// System folders shown read-only (a symbolic link stays a link, as on merged-/usr hosts).
    static let systemPaths = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc"]
    /// Devices bound from the host into the minimal /dev.
    static let devices = ["null", "zero", "random", "urandom", "full", "tty"]

    /// Runs the launcher with the plan's arguments (``NamespacePlan/encoded``); returns only on failure (with the
    /// status to exit with), or in the launcher after the runtime ended. Errors go to standard error, which is the
    /// function's log.
    public static func run(arguments: [String]) -> Int32 {
        guard let plan = NamespacePlan(arguments: arguments) else {
            report("\(subcommand): these arguments are not a launch plan; this command is for the node's use only")
            return 2
        }
        do {
            // Init hands the runtime's wait status back through this pipe: its own exit cannot carry a signal.
            var report: [Int32] = [-1, -1]
            guard pipe(&report) == 0 else { throw LaunchError("pipe") }
            for end in report { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            let child = try enter(plan)
            if child == 0 {
                close(report[0])
                try becomeInit(plan, report: report[1])
            }
            close(report[1])
            return wait(for: child, report: report[0])
        } catch {
            report("\(subcommand): \(error)")
            return 126
        }
    }

    /// Joins the cgroup and namespaces and forks; returns the child's pid in the launcher, 0 in the child.
    static func enter(_ plan: NamespacePlan) throws(LaunchError) -> pid_t {
        let pid = "\(getpid())"
        for file in plan.cgroupProcessFiles {
            let descriptor = open(file, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw LaunchError("open", path: file) }
            let written = pid.withCString { write(descriptor, $0, strlen($0)) }
            let error = errno
            close(descriptor)
            guard written > 0 else { throw LaunchError("write", path: file, code: error) }
        }
        if plan.joinsNetworkNamespace {
            guard swiftlet_setns(3, Int32(CLONE_NEWNET)) == 0 else { throw LaunchError("setns", path: "network") }
            close(3)
        }
        let flags = Int32(CLONE_NEWNS) | Int32(CLONE_NEWPID) | Int32(CLONE_NEWIPC) | Int32(CLONE_NEWUTS)
        guard swiftlet_unshare(flags) == 0 else { throw LaunchError("unshare") }
        let child = swiftlet_fork()
        guard child >= 0 else { throw LaunchError("fork") }
        if child == 0 {
            // Should the launcher die (killed by the node), PID 1 and so the whole namespace go with it. Had it
            // died already, the node's kill of its process group, which PID 1 shares, has reached PID 1 too
            // (getppid says nothing here: the parent is outside the PID namespace).
            _ = swiftlet_set_parent_death_signal(SIGKILL)
        }
        return child
    }

    /// In the child, PID 1 of the new PID namespace: builds the filesystem, forks the runtime, gives up its own
    /// privileges and reaps every process of the namespace until the runtime ends; then writes the runtime's wait
    /// status to `report` and exits, which ends every other process of the namespace. Never returns normally.
    ///
    /// The runtime is PID 2, as it is an ordinary process on AWS: it can signal itself, and the orphans it leaves
    /// are reaped here.
    static func becomeInit(_ plan: NamespacePlan, report: Int32) throws(LaunchError) -> Never {
        try buildRoot(plan)
        guard swiftlet_sethostname(plan.hostname) == 0 else { throw LaunchError("sethostname") }
        let runtime = swiftlet_fork()
        guard runtime >= 0 else { throw LaunchError("fork") }
        if runtime == 0 {
            close(report)
            try becomeRuntime(plan)
        }
        _ = swiftlet_drop_capabilities()
        _ = swiftlet_set_no_new_privs()
        _ = swiftlet_set_undumpable()

        var status: Int32 = 0
        while true {
            let reaped = waitpid(-1, &status, 0)
            if reaped == runtime {
                _ = withUnsafeBytes(of: &status) { write(report, $0.baseAddress, $0.count) }
                exit(0)
            }
            if reaped < 0 && errno != EINTR { exit(127) }
        }
    }

    /// In the runtime's process: drops privileges and executes the runtime. Never returns normally.
    static func becomeRuntime(_ plan: NamespacePlan) throws(LaunchError) -> Never {
        guard chdir(plan.directory) == 0 else { throw LaunchError("chdir", path: plan.directory) }
        let dropped = swiftlet_drop_capabilities()
        guard dropped == 0 else { throw LaunchError("capset", code: -dropped) }
        guard swiftlet_set_no_new_privs() == 0 else { throw LaunchError("prctl(PR_SET_NO_NEW_PRIVS)") }
        let filtered = swiftlet_seccomp_load_environment_filter()
        guard filtered == 0 else { throw LaunchError("seccomp_load", code: -filtered) }

        let argv = plan.arguments.map { strdup($0) } + [nil]
        execve(plan.executable, argv, environ)
        throw LaunchError("execve", path: plan.executable)
    }

    /// Mounts the environment's root on `plan.root` and pivots into it.
    static func buildRoot(_ plan: NamespacePlan) throws(LaunchError) {
        let root = plan.root
        // Nothing mounted from here on may propagate back to the host.
        try mount(nil, "/", nil, UInt(MS_REC | MS_PRIVATE))
        try mount("tmpfs", root, "tmpfs", UInt(MS_NOSUID | MS_NODEV), "mode=0755,size=1m")

        // Limitation: only these host folders are visible, so an interpreter installed elsewhere is not found.
        for path in systemPaths {
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK {
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlink(path, &buffer, buffer.count - 1)
                guard length > 0 else { continue }
                buffer[length] = 0
                guard symlink(buffer, root + path) == 0 else { throw LaunchError("symlink", path: root + path) }
            } else if info.st_mode & S_IFMT == S_IFDIR {
                try bindReadOnly(path, at: root + path)
            }
        }
        // /tmp comes before the host folders bound at their own paths, so that one of them living under the host's
        // /tmp (a checkout or a data directory there) is mounted on top of the private /tmp, not hidden by it.
        // Limitation: /tmp is a tmpfs, charged to the memory cgroup: filling it counts against the memory limit.
        try makeDirectory(root + "/tmp", mode: 0o1777)
        try mount(
            "tmpfs", root + "/tmp", "tmpfs", UInt(MS_NOSUID | MS_NODEV),
            "mode=1777,size=\(max(1, plan.temporaryMB))m")
        try bindReadOnly(plan.codeDirectory, at: root + "/var/task")
        try mountLayers(plan.layers, at: root + "/opt")
        for path in plan.readOnlyPaths where access(path, F_OK) == 0 {
            try bindReadOnly(path, at: root + path)
        }

        // A fresh /proc shows only the namespace's processes; its global knobs stay out of reach.
        try makeDirectory(root + "/proc", mode: 0o555)
        try mount("proc", root + "/proc", "proc", UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC))
        try bindReadOnly(root + "/proc/sys", at: root + "/proc/sys")
        if access(root + "/proc/sysrq-trigger", F_OK) == 0 {
            try mount("/dev/null", root + "/proc/sysrq-trigger", nil, UInt(MS_BIND))
        }

        try makeDirectory(root + "/dev", mode: 0o755)
        try mount("tmpfs", root + "/dev", "tmpfs", UInt(MS_NOSUID | MS_NOEXEC), "mode=0755,size=64k")
        for device in devices {
            let target = "\(root)/dev/\(device)"
            let descriptor = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0o666)
            guard descriptor >= 0 else { throw LaunchError("open", path: target) }
            close(descriptor)
            try mount("/dev/\(device)", target, nil, UInt(MS_BIND))
        }
        for (name, target) in [
            ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ] {
            guard symlink(target, "\(root)/dev/\(name)") == 0 else { throw LaunchError("symlink", path: name) }
        }
        try makeDirectory(root + "/dev/shm", mode: 0o1777)
        try mount("tmpfs", root + "/dev/shm", "tmpfs", UInt(MS_NOSUID | MS_NODEV), "mode=1777,size=16m")
        // The devices and /dev/shm are mounts of their own and stay writable; /dev itself takes no new files.
        try mount(nil, root + "/dev", nil, UInt(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC))

        try makeDirectory(root + "/.old", mode: 0o700)
        guard swiftlet_pivot_root(root, root + "/.old") == 0 else { throw LaunchError("pivot_root", path: root) }
        guard chdir("/") == 0 else { throw LaunchError("chdir", path: "/") }
        guard swiftlet_detach("/.old") == 0 else { throw LaunchError("umount2", path: "/.old") }
        rmdir("/.old")
        try mount(nil, "/", nil, UInt(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV))
    }

    /// /opt: empty without layers, the one layer bound read-only, or several merged by a read-only overlay (no
    /// upper folder, so nothing is copied and nothing can be written), the last layer on top.
    static func mountLayers(_ layers: [String], at target: String) throws(LaunchError) {
        switch layers.count {
        case 0: try makeDirectory(target, mode: 0o755)
        case 1: try bindReadOnly(layers[0], at: target)
        default:
            // Limitation: a data directory whose path holds ':' or ',' cannot be named in the overlay's options.
            try makeDirectory(target, mode: 0o755)
            let lower = layers.reversed().joined(separator: ":")
            try mount("overlay", target, "overlay", UInt(MS_RDONLY | MS_NOSUID | MS_NODEV), "lowerdir=\(lower)")
        }
    }

    private static func bindReadOnly(_ source: String, at target: String) throws(LaunchError) {
        try makeDirectory(target, mode: 0o755)
        try mount(source, target, nil, UInt(MS_BIND | MS_REC))
        try mount(nil, target, nil, UInt(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID))
    }

    private static func makeDirectory(_ path: String, mode: mode_t) throws(LaunchError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/\(component)"
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw LaunchError("mkdir", path: current) }
        }
        chmod(path, mode)
    }

    private static func mount(
        _ source: String?, _ target: String, _ type: String?, _ flags: UInt, _ data: String? = nil
    ) throws(LaunchError) {
        guard swiftlet_mount(source, target, type, flags, data) == 0 else { throw LaunchError("mount", path: target) }
    }

    /// In the launcher: waits for init and ends the way the runtime did (as init reported it), or as init did.
    static func wait(for child: pid_t, report: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        var reported: Int32 = 0
        let length = withUnsafeMutableBytes(of: &reported) { read(report, $0.baseAddress, $0.count) }
        close(report)
        if length == MemoryLayout<Int32>.size { status = reported }
        let termination = status & 0x7f
        if termination == 0 { return (status >> 8) & 0xff }
        signal(termination, SIG_DFL)
        kill(getpid(), termination)
        return 128 + termination
    }

    private static func report(_ message: String) {
        let line = message + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
