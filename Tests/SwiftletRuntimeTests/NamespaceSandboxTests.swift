import Foundation
import SwiftletLauncher
import SwiftletSystem
import Testing

@testable import SwiftletRuntime

/// What the sandbox tells the launcher: the environment's paths as it sees them.
@Suite("NamespaceSandbox plan")
struct NamespacePlanTests {
    static let spec = SandboxSpec(
        environmentId: "0123456789abcdef0123456789abcdef", codeDirectory: "/data/runtime/code/abc",
        temporaryDirectory: "/data/runtime/environments/e1/tmp", executable: "/data/runtime/code/abc/bootstrap",
        arguments: ["/data/runtime/code/abc/bootstrap", "--flag"],
        environment: [
            "LAMBDA_TASK_ROOT": "/data/runtime/code/abc", "TMPDIR": "/data/runtime/environments/e1/tmp",
            "PYTHONPATH": "/layers/l1/python:/data/runtime/code/abc/lib:/runtimes/python/3.12",
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:40000", "PYTHONPYCACHEPREFIX": "/data/runtime/pycache",
            "OTHER": "/data/runtime/code/abcdef",
        ],
        memoryMB: 256, outputDescriptor: 1, ephemeralStorageMB: 700, networkNamespace: 9,
        readOnlyPaths: ["/runtimes/python/3.12"])

    static let layered: SandboxSpec = {
        var spec = NamespacePlanTests.spec
        spec.layerDirectories = ["/data/runtime/code/first", "/data/runtime/code/second"]
        spec.executable = "/data/runtime/code/second/bootstrap"
        spec.environment["PYTHONPATH"] =
            "/data/runtime/code/second/python:/data/runtime/code/first/python:/opt/python:/runtimes/python/3.12"
        spec.environment["PATH"] = "/data/runtime/code/second/bin:/data/runtime/code/first/bin:/opt/bin:/usr/bin"
        return spec
    }()

    @Test func codeAndTemporaryPathsAreRewrittenToVarTaskAndTmp() {
        let (plan, environment) = NamespaceSandbox.plan(for: Self.spec)

        #expect(environment["LAMBDA_TASK_ROOT"] == "/var/task")
        #expect(environment["TMPDIR"] == "/tmp")
        #expect(environment["PYTHONPATH"] == "/layers/l1/python:/var/task/lib:/runtimes/python/3.12")
        #expect(plan.executable == "/var/task/bootstrap")
        #expect(plan.arguments == ["/var/task/bootstrap", "--flag"])
        #expect(plan.directory == "/var/task")
    }

    @Test func aSiblingFolderSharingThePrefixIsLeftAlone() {
        let (_, environment) = NamespaceSandbox.plan(for: Self.spec)

        #expect(environment["OTHER"] == "/data/runtime/code/abcdef")
    }

    @Test func runtimeAPIIsPort9001AndTheNodeBytecodeCacheIsNotUsedInsideTheNamespace() {
        let (plan, environment) = NamespaceSandbox.plan(for: Self.spec)

        #expect(environment["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001")
        #expect(environment["PYTHONPYCACHEPREFIX"] == nil)
        #expect(plan.joinsNetworkNamespace)
        #expect(plan.temporaryMB == 700)
        #expect(plan.readOnlyPaths == ["/runtimes/python/3.12"])
        #expect(plan.root == Self.spec.temporaryDirectory)
    }

    @Test func layerPathsBecomeOptOnceEachAndTheLayersAreMergedInTheOrderGiven() {
        let (plan, environment) = NamespaceSandbox.plan(for: Self.layered)

        #expect(environment["PYTHONPATH"] == "/opt/python:/runtimes/python/3.12")
        #expect(environment["PATH"] == "/opt/bin:/usr/bin")
        #expect(plan.executable == "/opt/bootstrap")
        #expect(plan.layers == ["/data/runtime/code/first", "/data/runtime/code/second"])
        #expect(plan.readOnlyPaths == ["/runtimes/python/3.12"])
    }

    @Test func planSurvivesTheTripThroughLauncherArguments() {
        var (plan, _) = NamespaceSandbox.plan(for: Self.layered)
        plan.cgroupProcessFiles = ["/sys/fs/cgroup/memory/x/cgroup.procs", "/sys/fs/cgroup/pids/x/cgroup.procs"]
        plan.arguments = ["sh", "--root", "--", "-c", "echo"]

        #expect(NamespacePlan(arguments: plan.encoded) == plan)
        #expect(NamespacePlan(arguments: ["--root"]) == nil)
        #expect(NamespacePlan(arguments: ["--unknown", "x", "--", "/bin/true", "true"]) == nil)
    }

    @Test func cpuShareIsOneCoreAt1769MegabytesAndProportionalBelow() {
        #expect(ResourceLimits.forMemory(megabytes: 1769).cpus == 1.0)
        #expect(abs(ResourceLimits.forMemory(megabytes: 128).cpus - 128.0 / 1769.0) < 1e-9)
        #expect(ResourceLimits.forMemory(megabytes: 128).maxProcesses == 1024)
    }
}

@Suite("CgroupController resource limits")
struct CgroupResourceLimitTests {
    @Test func unifiedCreateWritesCpuMaxAndPidsMax() throws {
        try withTemporaryDirectory { root in
            for file in ["memory.max", "memory.swap.max", "cpu.max", "pids.max"] {
                try writeFile("env1/\(file)", in: root)
            }
            let controller = CgroupController(flavor: .unified(root))

            let group = try #require(
                controller.create(
                    name: "env1", memoryLimitBytes: 128 << 20,
                    limits: ResourceLimits(cpus: 0.5, maxProcesses: 64)))

            #expect(contents(of: "\(root)/env1/cpu.max") == "50000 100000")
            #expect(contents(of: "\(root)/env1/pids.max") == "64")
            #expect(group.processFiles == ["\(root)/env1/cgroup.procs"])
        }
    }

    @Test func legacyCreateMakesGroupsInTheCpuAndPidsHierarchies() throws {
        try withTemporaryDirectory { root in
            try writeFile("memory/memory.limit_in_bytes", in: root)
            try writeFile("cpu/cpu.cfs_quota_us", in: root)
            try writeFile("pids/cgroup.procs", in: root)
            let controller = CgroupController.detectWithResourceLimits(root: root, node: "n1")
            #expect(
                controller.legacyLimitParents == ["\(root)/cpu/swiftlet/n1", "\(root)/pids/swiftlet/n1"])
            for file in ["cpu/swiftlet/n1/env1/cpu.cfs_quota_us", "cpu/swiftlet/n1/env1/cpu.cfs_period_us"] {
                try writeFile(file, in: root)
            }
            try writeFile("pids/swiftlet/n1/env1/pids.max", in: root)
            try writeFile("memory/swiftlet/n1/env1/memory.limit_in_bytes", in: root)

            let group = try #require(
                controller.create(
                    name: "env1", memoryLimitBytes: 1 << 30, limits: ResourceLimits(cpus: 2, maxProcesses: 10)))

            #expect(contents(of: "\(root)/cpu/swiftlet/n1/env1/cpu.cfs_quota_us") == "200000")
            #expect(contents(of: "\(root)/cpu/swiftlet/n1/env1/cpu.cfs_period_us") == "100000")
            #expect(contents(of: "\(root)/pids/swiftlet/n1/env1/pids.max") == "10")
            #expect(group.processFiles.count == 3)
        }
    }
}

/// Real environments through the launcher: root only, and only where namespaces can be made.
@Suite(
    "NamespaceSandbox on this host", .serialized, .enabled(if: NamespaceHost.reason == nil, NamespaceHost.skipMessage))
struct NamespaceSandboxHostTests {
    @Test func runtimeIsPidTwoUnderInitWithItsCodeReadOnlyAtVarTaskAndAPrivateTmp() throws {
        let output = try NamespaceHost.run(
            script: "echo pid=$$; echo cwd=$(pwd); ls /var/task; echo x > /var/task/new 2>/dev/null || echo rofs;"
                + " echo ok > /tmp/file && cat /tmp/file; ls / | tr '\\n' ' '")

        #expect(output.contains("pid=2\n"), "\(output)")
        #expect(output.contains("cwd=/var/task\n"), "\(output)")
        #expect(output.contains("handler.sh\n"), "\(output)")
        #expect(output.contains("rofs\n"), "\(output)")
        #expect(output.contains("ok\n"), "\(output)")
        #expect(!output.contains("work"), "\(output)")
    }

    @Test func runtimeStartsInsideItsCgroupWithNoCapabilitiesAndNoNewPrivileges() throws {
        let output = try NamespaceHost.run(
            script: "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; cat /proc/self/cgroup")

        #expect(output.contains("CapEff:\t0000000000000000"), "\(output)")
        #expect(output.contains("CapBnd:\t0000000000000000"), "\(output)")
        #expect(output.contains("NoNewPrivs:\t1"), "\(output)")
        #expect(output.contains("Seccomp:\t2"), "\(output)")
        #expect(output.contains("nstest"), "\(output)")
    }

    @Test func layersAreMergedReadOnlyAtOptWithTheLastOneOnTop() throws {
        let output = try NamespaceHost.run(
            script: "cat /opt/a.txt /opt/b.txt; echo x 2>/dev/null > /opt/new || echo rofs",
            layers: [["a.txt": "one\n", "b.txt": "first\n"], ["b.txt": "second\n"]])

        #expect(output == "one\nsecond\nrofs\n", "\(output)")
    }

    @Test func oneLayerIsBoundAndNoLayerLeavesAnEmptyOpt() throws {
        let single = try NamespaceHost.run(script: "ls /opt", layers: [["only.txt": "x"]])
        let none = try NamespaceHost.run(script: "ls /opt; echo end")

        #expect(single == "only.txt\n", "\(single)")
        #expect(none == "end\n", "\(none)")
    }

    @Test func aRuntimeKillingItselfEndsTheLauncherWithItsSignal() throws {
        let (output, exit) = try NamespaceHost.start(script: "echo before; kill -9 $$; echo after")

        #expect(output == "before\n", "\(output)")
        #expect(exit == .signaled(SIGKILL))
    }

    @Test func initReapsOrphansAndTheRuntimeExitStatusComesThrough() throws {
        let script =
            "sh -c 'sleep 0.1 &'; sleep 0.6;"
            + " for f in /proc/[0-9]*/stat; do cut -d' ' -f3 $f; done | grep -c Z; exit 7"
        let (output, exit) = try NamespaceHost.start(script: script)

        #expect(output == "0\n", "\(output)")
        #expect(exit == .exited(7))
    }
}

/// Whether and how this host can run the host tests.
enum NamespaceHost {
    static let launcher: String? = {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        var folder = URL(
            fileURLWithPath: String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        for _ in 0..<5 {
            folder.deleteLastPathComponent()
            let candidate = folder.appendingPathComponent("swiftlet").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static let reason: String? = {
        guard getuid() == 0 else { return "not root" }
        guard launcher != nil else { return "no swiftlet binary beside the test bundle (run swift build first)" }
        guard
            let process = try? ChildProcess.spawn(
                ChildProcessSpec(
                    executable: "/usr/bin/unshare", arguments: ["unshare", "-m", "-p", "-i", "-u", "-n", "-f", "true"],
                    environment: [:], directory: "/"))
        else { return "no /usr/bin/unshare to try namespaces with" }
        defer { process.closeDescriptor() }
        var exit: ChildExit?
        for _ in 0..<500 where exit == nil {
            exit = process.reap()
            if exit == nil { usleep(2000) }
        }
        return exit == .exited(0)
            ? nil : "namespaces are unavailable here (unshare ended with \(String(describing: exit)))"
    }()

    static var skipMessage: Comment { Comment(rawValue: "namespace sandbox host tests skipped: \(reason ?? "")") }

    /// Runs `script` with /bin/sh in a fresh namespaced environment and returns what it printed.
    static func run(script: String, layers: [[String: String]] = []) throws -> String {
        try start(script: script, layers: layers).output
    }

    /// Runs `script` with /bin/sh in a fresh namespaced environment, its layers holding `layers` (file name to
    /// contents, the first layer first), and returns what it printed and how the launcher ended.
    static func start(script: String, layers: [[String: String]] = []) throws -> (output: String, exit: ChildExit?) {
        let launcher = try #require(launcher)
        return try withTemporaryDirectory { work in
            try writeFile("code/handler.sh", in: work, contents: "#!/bin/sh\n", mode: 0o755)
            for (index, files) in layers.enumerated() {
                for (name, contents) in files { try writeFile("layer\(index)/\(name)", in: work, contents: contents) }
            }
            try FileSystem.makeDirectories("\(work)/tmp")
            // A node and an environment of their own: closing the sandbox empties the node's whole group.
            let id = "nstest\(Digest.randomBytes(6).hexString)"
            let cgroups = CgroupController.detectWithResourceLimits(node: id)
            let sandbox = NamespaceSandbox(cgroups: cgroups, launcher: launcher)
            defer { sandbox.close() }
            var pipeEnds: [Int32] = [0, 0]
            guard pipe(&pipeEnds) == 0 else { throw SystemError("pipe") }
            let started = try sandbox.start(
                SandboxSpec(
                    environmentId: id, codeDirectory: "\(work)/code", temporaryDirectory: "\(work)/tmp",
                    executable: "/bin/sh", arguments: ["sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"],
                    memoryMB: 128, outputDescriptor: pipeEnds[1], ephemeralStorageMB: 8,
                    layerDirectories: layers.indices.map { "\(work)/layer\($0)" }))
            close(pipeEnds[1])
            var output = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(pipeEnds[0], &buffer, buffer.count)
                if count <= 0 { break }
                output.append(contentsOf: buffer[0..<count])
            }
            close(pipeEnds[0])
            var exit: ChildExit?
            for _ in 0..<1000 where exit == nil {
                exit = started.process.reap()
                if exit == nil { usleep(2000) }
            }
            started.process.closeDescriptor()
            started.cleanUp()
            return (String(decoding: output, as: UTF8.self), exit)
        }
    }
}
