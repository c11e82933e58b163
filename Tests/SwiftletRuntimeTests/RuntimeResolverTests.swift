import Foundation
import SwiftletSystem
import Testing

@testable import SwiftletRuntime

/// A runtimes folder as `make runtimes` lays it out: the Python client for 3.11 and the Node.js client.
func makeRuntimesFolder(in root: String, python: Bool = true, node: Bool = true) throws -> String {
    let runtimes = "\(root)/runtimes"
    try FileSystem.makeDirectories(runtimes)
    if python { try FileSystem.makeDirectories("\(runtimes)/python/3.11/awslambdaric") }
    if node { try writeFile("node/bootstrap.js", in: runtimes) }
    return runtimes
}

@Suite("RuntimeResolver")
struct RuntimeResolverTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3.11")))
    func pythonUsesTheHostInterpreterOfThatVersionAndTheInstalledClient() throws {
        try withTemporaryDirectory { root in
            let runtimes = try makeRuntimesFolder(in: root)
            let resolver = RuntimeResolver(settings: RuntimeSettings(runtimesDirectory: runtimes))

            let launch = try resolver.launch("python3.11", codeDirectory: "\(root)/code", handler: "app.handler")

            #expect(resolver.unavailability(of: "python3.11") == nil)
            #expect(launch.executable == "/usr/bin/python3.11")
            #expect(launch.arguments == ["-m", "awslambdaric", "app.handler"])
            #expect(matches(launch.versionLabel, #"python:3\.11\.\d+"#))
            let path = try #require(launch.environment["PYTHONPATH"])
            #expect(path.split(separator: ":").contains("\(runtimes)/python/3.11"))
            #expect(launch.environment["LAMBDA_RUNTIME_DIR"] == "\(runtimes)/python/3.11")
        }
    }

    @Test func pythonInterpreterOverrideThatDoesNotExistMakesTheRuntimeUnavailable() throws {
        try withTemporaryDirectory { root in
            let runtimes = try makeRuntimesFolder(in: root)
            let resolver = RuntimeResolver(
                settings: RuntimeSettings(
                    runtimesDirectory: runtimes, interpreters: ["python3.11": "\(root)/no/such/python"]))

            let reason = try #require(resolver.unavailability(of: "python3.11"))

            #expect(reason.contains("\(root)/no/such/python"))
        }
    }

    @Test func familyOverrideAppliesToEveryVersionOfTheFamily() throws {
        try withTemporaryDirectory { root in
            let runtimes = try makeRuntimesFolder(in: root)
            let resolver = RuntimeResolver(
                settings: RuntimeSettings(runtimesDirectory: runtimes, interpreters: ["python": "\(root)/missing"]))

            #expect(resolver.unavailability(of: "python3.12")?.contains("\(root)/missing") == true)
            #expect(resolver.unavailability(of: "python3.9")?.contains("\(root)/missing") == true)
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3.11")))
    func pythonWithoutTheRuntimeClientIsUnavailableAndSaysHowToInstallIt() throws {
        try withTemporaryDirectory { root in
            let runtimes = try makeRuntimesFolder(in: root, python: false)
            let resolver = RuntimeResolver(settings: RuntimeSettings(runtimesDirectory: runtimes))

            let reason = try #require(resolver.unavailability(of: "python3.11"))

            #expect(reason.contains("awslambdaric"))
            #expect(reason.contains("make runtimes"))
            #expect(reason.contains("\(runtimes)/python/3.11"))
        }
    }

    @Test(
        .enabled(
            if: RuntimeResolver.pathDirectories().contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/node")
            }))
    func nodeUsesNodeOnThePathWithSwiftletsClient() throws {
        try withTemporaryDirectory { root in
            let runtimes = try makeRuntimesFolder(in: root)
            let resolver = RuntimeResolver(settings: RuntimeSettings(runtimesDirectory: runtimes))

            let launch = try resolver.launch("nodejs20.x", codeDirectory: "\(root)/code", handler: "index.handler")

            #expect(launch.executable.hasSuffix("/node"))
            #expect(launch.arguments == ["\(runtimes)/node/bootstrap.js"])
            #expect(matches(launch.versionLabel, #"nodejs:\d+\.\d+\.\d+"#))
            #expect(launch.environment["LAMBDA_RUNTIME_DIR"] == "\(runtimes)/node")
        }
    }

    @Test func nodeWithoutItsClientIsUnavailable() throws {
        try withTemporaryDirectory { root in
            let runtimes = try makeRuntimesFolder(in: root, node: false)
            let resolver = RuntimeResolver(
                settings: RuntimeSettings(runtimesDirectory: runtimes, interpreters: ["nodejs": "/bin/true"]))

            let reason = try #require(resolver.unavailability(of: "nodejs20.x"))

            #expect(reason.contains("\(runtimes)/node/bootstrap.js"))
        }
    }

    @Test(arguments: [
        ("provided.al2023", "provided:al2023"), ("provided.al2", "provided:al2"), ("provided", "provided:al1"),
    ])
    func providedRuntimesNeedNoInterpreterAndRunTheCodesBootstrap(runtime: String, label: String) throws {
        try withTemporaryDirectory { root in
            try writeFile("code/bootstrap", in: root, contents: "#!/bin/sh\n", mode: 0o755)
            // An empty runtimes folder and an override pointing nowhere: neither matters to a custom runtime.
            let resolver = RuntimeResolver(
                settings: RuntimeSettings(runtimesDirectory: "\(root)/none", interpreters: ["python": "/nowhere"]))

            let launch = try resolver.launch(runtime, codeDirectory: "\(root)/code", handler: "ignored")

            #expect(resolver.unavailability(of: runtime) == nil)
            #expect(launch.executable == "\(root)/code/bootstrap")
            #expect(launch.arguments.isEmpty)
            #expect(launch.versionLabel == label)
        }
    }

    @Test func unknownRuntimeIsUnavailable() throws {
        let resolver = RuntimeResolver(settings: RuntimeSettings(runtimesDirectory: "/nonexistent"))

        let reason = try #require(resolver.unavailability(of: "cobol85"))

        #expect(reason.contains("cobol85"))
    }
}
