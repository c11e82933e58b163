import Foundation
import SwiftletSystem

/// Everything a sandbox needs to start one execution environment.
public struct SandboxSpec: Sendable {
    /// Unique id of the environment, safe in file names.
    public var environmentId: String
    /// Folder holding the function's unpacked code.
    public var codeDirectory: String
    /// A private, writable folder for the environment's temporary files.
    public var temporaryDirectory: String
    /// What to run.
    public var executable: String
    public var arguments: [String]
    /// The complete environment of the runtime.
    public var environment: [String: String]
    /// Memory limit in MB.
    public var memoryMB: Int
    /// Where the runtime's standard output and error go.
    public var outputDescriptor: Int32
    /// Size of the environment's `/tmp` in MB, where the sandbox gives it one of its own.
    public var ephemeralStorageMB: Int
    /// The network namespace the environment joins (a descriptor from its endpoint), for sandboxes that
    /// ``Sandbox/isolatesNetwork``; nil otherwise.
    public var networkNamespace: Int32?
    /// Host folders the runtime reads besides its code (the runtime client, layers), shown read-only at the same
    /// path by sandboxes with a filesystem of their own.
    public var readOnlyPaths: [String]
    /// The function's unpacked layers in the order given (a later one's files win), for sandboxes that merge them
    /// at `/opt`; the runtime's search paths name them at their host paths, which such a sandbox rewrites.
    public var layerDirectories: [String]

    public init(
        environmentId: String, codeDirectory: String, temporaryDirectory: String, executable: String,
        arguments: [String], environment: [String: String], memoryMB: Int, outputDescriptor: Int32,
        ephemeralStorageMB: Int = 512, networkNamespace: Int32? = nil, readOnlyPaths: [String] = [],
        layerDirectories: [String] = []
    ) {
        self.layerDirectories = layerDirectories
        self.ephemeralStorageMB = ephemeralStorageMB
        self.networkNamespace = networkNamespace
        self.readOnlyPaths = readOnlyPaths
        self.environmentId = environmentId
        self.codeDirectory = codeDirectory
        self.temporaryDirectory = temporaryDirectory
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.memoryMB = memoryMB
        self.outputDescriptor = outputDescriptor
    }
}

/// A started environment as a sandbox sees it.
public protocol SandboxedProcess: Sendable {
    /// The runtime's process; readable `pidDescriptor` means it exited.
    var process: ChildProcess { get }
    /// The most memory the environment used, in bytes, when the sandbox can tell.
    func peakMemoryBytes() -> Int64?
    /// True when the environment was killed for exceeding its memory limit.
    func wasOutOfMemory() -> Bool
    /// Kills every process of the environment.
    func terminate()
    /// Releases what the sandbox holds for the environment, after the process is gone.
    func cleanUp()
    /// Stops every process of the environment from running until ``thaw()``; false when the sandbox cannot.
    func freeze() -> Bool
    /// Lets a frozen environment run again.
    func thaw()
}

extension SandboxedProcess {
    public func freeze() -> Bool { false }
    public func thaw() {}
}

/// A way of starting execution environments. Implementations differ in how much they wall off: a plain child
/// process, Linux namespaces, a micro-VM.
public protocol Sandbox: Sendable {
    /// `process`, `namespace`, ...
    var name: String { get }
    /// Why memory limits are not enforced, or nil when they are.
    var memoryLimitCaveat: String? { get }
    /// Starts the runtime described by `spec`.
    func start(_ spec: SandboxSpec) throws -> any SandboxedProcess
    /// Releases what the sandbox holds for all its environments, once they are gone.
    func close()
    /// True when each environment has a network namespace of its own: its Runtime API endpoint is then opened
    /// inside that namespace, at 127.0.0.1:9001, and handed over in ``SandboxSpec/networkNamespace``.
    var isolatesNetwork: Bool { get }
}

extension Sandbox {
    /// Sandboxes share the node's network unless they say otherwise.
    public var isolatesNetwork: Bool { false }
}
