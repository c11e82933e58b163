import CLinux
import Foundation
import Glibc

/// What to start.
public struct ChildProcessSpec: Sendable {
    /// Absolute path of the executable.
    public var executable: String
    /// argv, including argv[0].
    public var arguments: [String]
    /// The complete environment.
    public var environment: [String: String]
    /// Working directory.
    public var directory: String
    /// Where standard output and error go: this descriptor (usually a pipe's write end), or /dev/null when nil.
    public var outputDescriptor: Int32?
    /// Descriptors the child inherits, as 3, 4, ... in this order.
    public var inheritedDescriptors: [Int32]

    public init(
        executable: String, arguments: [String], environment: [String: String], directory: String,
        outputDescriptor: Int32? = nil, inheritedDescriptors: [Int32] = []
    ) {
        self.inheritedDescriptors = inheritedDescriptors
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.outputDescriptor = outputDescriptor
    }
}

/// How a child ended.
public enum ChildExit: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// As AWS words it: `exit status 1`, `signal: killed`.
    public var description: String {
        switch self {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal): return "signal: \(ChildExit.signalName(signal))"
        }
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: "killed"
        case SIGTERM: "terminated"
        case SIGSEGV: "segmentation fault"
        case SIGABRT: "aborted"
        case SIGBUS: "bus error"
        case SIGILL: "illegal instruction"
        case SIGFPE: "floating point exception"
        case SIGINT: "interrupt"
        case SIGPIPE: "broken pipe"
        default: "\(signal)"
        }
    }
}

/// A started child: its pid, a pidfd that becomes readable when it exits, and its process group.
public struct ChildProcess: Sendable {
    public let pid: pid_t
    /// Readable once the child has exited; closed by ``reap()``.
    public let pidDescriptor: Int32

    /// Starts a child in a new process group with default signal handling and an empty signal mask, standard input
    /// from /dev/null and standard output and error to `spec.outputDescriptor`.
    public static func spawn(_ spec: ChildProcessSpec) throws(SystemError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let output = spec.outputDescriptor {
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        for (index, descriptor) in spec.inheritedDescriptors.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, descriptor, Int32(3 + index))
        }
        posix_spawn_file_actions_addchdir_np(&actions, spec.directory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // The node ignores SIGPIPE, SIGINT and SIGTERM; ignored signals survive exec, so reset them all.
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = spec.arguments.map { strdup($0) } + [nil]
        let envp = spec.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, spec.executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw SystemError("posix_spawn", path: spec.executable, code: status) }
        let pidDescriptor = pidfd_open(pid, 0)
        guard pidDescriptor >= 0 else {
            let error = SystemError("pidfd_open")
            kill(pid, SIGKILL)
            var ignored: Int32 = 0
            waitpid(pid, &ignored, 0)
            throw error
        }
        return ChildProcess(pid: pid, pidDescriptor: pidDescriptor)
    }

    /// Closes the pidfd; call once, after nothing watches it any more.
    public func closeDescriptor() {
        close(pidDescriptor)
    }

    /// Kills the child's whole process group.
    public func killGroup(_ signal: Int32 = SIGKILL) {
        kill(-pid, signal)
        kill(pid, signal)
    }

    /// Collects the exit status without blocking; nil while the child runs (or once it was collected). The pidfd
    /// stays open: its owner stops watching it first, then calls ``closeDescriptor()``.
    public func reap() -> ChildExit? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        // The WIFEXITED family are macros; decode the status word by hand.
        let termination = status & 0x7f
        if termination == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(termination)
    }
}
