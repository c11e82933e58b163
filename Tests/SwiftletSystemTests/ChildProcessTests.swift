import Foundation
import SwiftletSystem
import Testing

/// Waits until the pidfd of `child` is readable, then reaps it.
func waitForExit(_ child: ChildProcess, seconds: Int32 = 5) -> ChildExit? {
    var entry = pollfd(fd: child.pidDescriptor, events: Int16(POLLIN), revents: 0)
    guard poll(&entry, 1, seconds * 1000) == 1 else { return nil }
    return child.reap()
}

/// Starts `/bin/sh -c script`.
func shell(
    _ script: String, environment: [String: String] = [:], directory: String = "/", output: Int32? = nil
)
    throws -> ChildProcess
{
    try ChildProcess.spawn(
        ChildProcessSpec(
            executable: "/bin/sh", arguments: ["sh", "-c", script], environment: environment, directory: directory,
            outputDescriptor: output))
}

@Suite("ChildProcess")
struct ChildProcessTests {
    @Test func exitStatusIsReportedOnceThePidfdIsReadable() throws {
        let child = try shell("exit 3")

        let exit = waitForExit(child)

        #expect(exit == .exited(3))
        #expect(exit?.description == "exit status 3")
    }

    @Test func deathBySignalIsReportedAsAWSWordsIt() throws {
        let child = try shell("kill -9 $$")

        let exit = waitForExit(child)

        #expect(exit == .signaled(SIGKILL))
        #expect(exit?.description == "signal: killed")
    }

    @Test func reapIsNilWhileTheChildRuns() throws {
        let child = try ChildProcess.spawn(
            ChildProcessSpec(executable: "/bin/sleep", arguments: ["sleep", "30"], environment: [:], directory: "/"))

        #expect(child.reap() == nil)

        child.killGroup()
        #expect(waitForExit(child) == .signaled(SIGKILL))
    }

    @Test func killGroupReachesTheChildsOwnChildren() throws {
        let pipe = try TestPipe()
        let child = try shell("/bin/sleep 30 & echo $!; wait", output: pipe.writeEnd)
        var printed = ""
        #expect(
            eventually {
                printed += pipe.drain()
                return printed.hasSuffix("\n")
            })
        let grandchild = pid_t(printed.trimmingCharacters(in: .whitespacesAndNewlines))

        child.killGroup()

        #expect(waitForExit(child) == .signaled(SIGKILL))
        let orphan = try #require(grandchild)
        #expect(eventually { isGoneOrZombie(orphan) })
    }

    @Test func workingDirectoryAndEnvironmentArePassedThrough() throws {
        let folder = NSTemporaryDirectory() + "swiftlet-child-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pipe = try TestPipe()

        let child = try shell(
            #"printf '%s|%s|%s' "$(pwd -P)" "$GREETING" "${HOME-unset}""#, environment: ["GREETING": "hello there"],
            directory: folder, output: pipe.writeEnd)

        #expect(waitForExit(child) == .exited(0))
        let real = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        #expect(pipe.drain() == "\(real)|hello there|unset")
    }

    @Test func standardInputIsEmpty() throws {
        let pipe = try TestPipe()

        let child = try shell("wc -c", environment: ["PATH": "/usr/bin:/bin"], output: pipe.writeEnd)

        #expect(waitForExit(child) == .exited(0))
        #expect(pipe.drain().trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func missingExecutableThrows() {
        #expect(throws: SystemError.self) {
            try ChildProcess.spawn(
                ChildProcessSpec(
                    executable: "/nonexistent/program", arguments: ["program"], environment: [:], directory: "/"))
        }
    }
}

/// True when `pid` no longer runs: gone, or a zombie nobody reaped yet.
func isGoneOrZombie(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    guard let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}
