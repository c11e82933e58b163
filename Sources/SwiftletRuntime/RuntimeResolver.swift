import Foundation
import SwiftletModel
import SwiftletSystem
import Synchronization

/// How a runtime identifier becomes a command line on this host.
public struct RuntimeSettings: Sendable {
    /// Folder with the runtime clients Swiftlet ships and installs: `node/bootstrap.js`, `python/<X.Y>/awslambdaric`.
    public var runtimesDirectory: String
    /// Interpreters chosen by the operator, by runtime identifier (`python3.12` → `/usr/bin/python3.12`) or family
    /// (`python`, `nodejs`).
    public var interpreters: [String: String]

    public init(runtimesDirectory: String, interpreters: [String: String] = [:]) {
        self.runtimesDirectory = runtimesDirectory
        self.interpreters = interpreters
    }
}

/// The command that starts a runtime, and what `INIT_START` reports about it.
public struct RuntimeLaunch: Sendable, Equatable {
    public var executable: String
    /// Arguments after argv[0].
    public var arguments: [String]
    /// Variables the runtime needs on top of Lambda's reserved ones.
    public var environment: [String: String]
    /// `python:3.11.2`, `nodejs:20.11.0`, `provided:al2023`.
    public var versionLabel: String
}

/// Resolves runtime identifiers to interpreters and runtime clients, and tells when a runtime cannot run here.
public final class RuntimeResolver: Sendable {
    let settings: RuntimeSettings
    private let versions = Mutex<[String: String]>([:])

    public init(settings: RuntimeSettings) {
        self.settings = settings
    }

    /// Why `runtime` cannot run on this node, or nil when it can.
    public func unavailability(of runtime: String) -> String? {
        do {
            _ = try prepare(runtime)
            return nil
        } catch {
            return error.description
        }
    }

    /// The launch of `runtime` for a function whose code is in `codeDirectory`.
    /// - Parameter optRoots: folders that play the part of `/opt`, the one whose files win first: the function's
    ///   unpacked layers from the last to the first, then `/opt` itself.
    public func launch(
        _ runtime: String, codeDirectory: String, handler: String, optRoots: [String] = ["/opt"]
    ) throws(RuntimeUnavailable) -> RuntimeLaunch {
        var launch = try prepare(runtime, optRoots: optRoots)
        // awslambdaric takes the handler as its argument; the other clients read `_HANDLER`.
        if RuntimeCatalog.family(of: runtime) == .python { launch.arguments.append(handler) }
        if RuntimeCatalog.family(of: runtime) == .custom {
            let candidates = ["\(codeDirectory)/bootstrap"] + optRoots.map { "\($0)/bootstrap" }
            launch.executable =
                candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
        }
        launch.environment["PATH"] = (optRoots.map { "\($0)/bin" } + Self.pathDirectories()).joined(separator: ":")
        launch.environment["LD_LIBRARY_PATH"] = optRoots.map { "\($0)/lib" }.joined(separator: ":")
        return launch
    }

    private func prepare(
        _ runtime: String, optRoots: [String] = ["/opt"]
    ) throws(RuntimeUnavailable)
        -> RuntimeLaunch
    {
        switch RuntimeCatalog.family(of: runtime) {
        case .python: return try python(runtime, optRoots: optRoots)
        case .nodejs: return try node(runtime, optRoots: optRoots)
        case .custom:
            let flavor = runtime == "provided" ? "al1" : String(runtime.dropFirst("provided.".count))
            return RuntimeLaunch(executable: "", arguments: [], environment: [:], versionLabel: "provided:\(flavor)")
        case nil: throw RuntimeUnavailable(description: "\(runtime) is not a runtime this node knows")
        }
    }

    private func python(_ runtime: String, optRoots: [String]) throws(RuntimeUnavailable) -> RuntimeLaunch {
        let wanted = String(runtime.dropFirst("python".count))
        let interpreter =
            settings.interpreters[runtime] ?? settings.interpreters["python"]
            ?? Self.firstExecutable(["/usr/bin/python\(wanted)", "/usr/local/bin/python\(wanted)"])
            ?? Self.newestPython()
        guard let interpreter else {
            throw RuntimeUnavailable(description: "no Python 3 interpreter was found on this node for \(runtime)")
        }
        let version = try self.version(
            of: interpreter, arguments: ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        let minor = version.split(separator: ".").prefix(2).joined(separator: ".")
        let library = "\(settings.runtimesDirectory)/python/\(minor)"
        guard FileManager.default.fileExists(atPath: "\(library)/awslambdaric") else {
            throw RuntimeUnavailable(
                description: "the Python runtime client (awslambdaric) is not installed for Python \(minor) in "
                    + "\(library); run `make runtimes` (part of `make run`) to install it")
        }
        return RuntimeLaunch(
            executable: interpreter, arguments: ["-m", "awslambdaric"],
            environment: [
                "PYTHONPATH":
                    (optRoots.flatMap { ["\($0)/python/lib/python\(minor)/site-packages", "\($0)/python"] }
                    + [library]).joined(separator: ":"),
                "LAMBDA_RUNTIME_DIR": library,
            ], versionLabel: "python:\(version)")
    }

    private func node(_ runtime: String, optRoots: [String]) throws(RuntimeUnavailable) -> RuntimeLaunch {
        let interpreter =
            settings.interpreters[runtime] ?? settings.interpreters["nodejs"]
            ?? Self.firstExecutable(Self.pathDirectories().map { "\($0)/node" })
        guard let interpreter else {
            throw RuntimeUnavailable(description: "no Node.js interpreter (node) was found on this node for \(runtime)")
        }
        let client = "\(settings.runtimesDirectory)/node/bootstrap.js"
        guard FileManager.default.fileExists(atPath: client) else {
            throw RuntimeUnavailable(description: "the Node.js runtime client is missing at \(client)")
        }
        let version = try self.version(of: interpreter, arguments: ["--version"])
        let major = version.drop(while: { $0 == "v" }).split(separator: ".").first.map(String.init) ?? ""
        return RuntimeLaunch(
            executable: interpreter, arguments: [client],
            environment: [
                "NODE_PATH": optRoots.flatMap {
                    ["\($0)/nodejs/node\(major)/node_modules", "\($0)/nodejs/node_modules"]
                }
                .joined(separator: ":"),
                "LAMBDA_RUNTIME_DIR": "\(settings.runtimesDirectory)/node",
            ], versionLabel: "nodejs:\(version.drop(while: { $0 == "v" }))")
    }

    /// Runs the interpreter once to learn its version, and remembers it.
    private func version(of interpreter: String, arguments: [String]) throws(RuntimeUnavailable) -> String {
        if let known = versions.withLock({ $0[interpreter] }) { return known }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw RuntimeUnavailable(description: "cannot run \(interpreter): \(error)")
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let version = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !version.isEmpty else {
            throw RuntimeUnavailable(description: "\(interpreter) did not report its version")
        }
        versions.withLock { $0[interpreter] = version }
        return version
    }

    static func firstExecutable(_ candidates: [String]) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func pathDirectories() -> [String] {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(
            String.init)
    }

    /// The highest `python3.N` in the usual places, preferring the distribution's over a version manager's shim,
    /// which starts several times slower.
    static func newestPython() -> String? {
        for minor in stride(from: 20, through: 6, by: -1) {
            if let found = firstExecutable(["/usr/bin/python3.\(minor)", "/usr/local/bin/python3.\(minor)"]) {
                return found
            }
        }
        return firstExecutable(["/usr/bin/python3"] + pathDirectories().map { "\($0)/python3" })
    }
}

/// Why a runtime cannot run on this node.
public struct RuntimeUnavailable: Error, CustomStringConvertible, Sendable {
    public var description: String
}
