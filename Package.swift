// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swiftlet",
    products: [
        .executable(name: "swiftlet", targets: ["swiftlet"]),
        .executable(name: "swiftlet-sandbox", targets: ["swiftlet-sandbox"]),
    ],
    targets: [
        // System libraries from Debian, found through pkg-config.
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        // Linux calls the Glibc module does not bring: pidfd, posix_spawn extensions.
        .systemLibrary(name: "CLinux"),
        // Bridges, veth pairs and addresses for the namespace sandbox's networks, over rtnetlink.
        .target(name: "CNetwork"),

        // The launcher of namespaced environments: namespaces, mounts, privileges, seccomp. No Foundation, so that
        // the `swiftlet-sandbox` executable built on it starts quickly.
        .target(name: "SwiftletLauncher", dependencies: ["CLinux", "CSeccomp"]),
        // The Swift standard library linked in: loading it dynamically would cost a few milliseconds per cold start.
        .executableTarget(
            name: "swiftlet-sandbox", dependencies: ["SwiftletLauncher"],
            linkerSettings: [.unsafeFlags(["-static-stdlib"])]),
        // Platform wrappers: logging, hashing, archives, files.
        .target(name: "SwiftletSystem", dependencies: ["CCrypto", "CArchive", "CLinux"]),
        // The HTTP front: connections, held requests, a small client, SigV4.
        .target(name: "SwiftletHTTP", dependencies: ["CMicroHTTPD", "SwiftletSystem"]),
        // Functions, ARNs, limits, validation, AWS error types.
        .target(name: "SwiftletModel", dependencies: ["SwiftletSystem"]),
        // The storage interface and its SQLite implementation.
        .target(name: "SwiftletStore", dependencies: ["CSQLite", "SwiftletModel", "SwiftletSystem"]),
        // Execution environments, sandboxes, the Runtime API and the scheduler.
        .target(
            name: "SwiftletRuntime",
            dependencies: [
                "SwiftletHTTP", "SwiftletModel", "SwiftletStore", "SwiftletSystem", "SwiftletLauncher", "CLinux",
                "CNetwork",
            ]),
        // The other AWS-shaped services: CloudWatch Logs.
        .target(
            name: "SwiftletServices",
            dependencies: ["SwiftletHTTP", "SwiftletModel", "SwiftletStore", "SwiftletSystem"]),
        // The Lambda API, one file per group of operations.
        .target(
            name: "SwiftletLambda",
            dependencies: [
                "SwiftletHTTP", "SwiftletModel", "SwiftletStore", "SwiftletSystem", "SwiftletRuntime",
                "SwiftletServices",
            ]),
        // The subcommands and the wiring of a node.
        .target(
            name: "SwiftletCLI",
            dependencies: [
                "SwiftletLambda", "SwiftletRuntime", "SwiftletServices", "SwiftletHTTP", "SwiftletStore",
                "SwiftletModel", "SwiftletSystem", "SwiftletLauncher",
            ]),
        .executableTarget(name: "swiftlet", dependencies: ["SwiftletCLI"]),

        .testTarget(name: "SwiftletSystemTests", dependencies: ["SwiftletSystem"]),
        .testTarget(name: "SwiftletModelTests", dependencies: ["SwiftletModel"]),
        .testTarget(name: "SwiftletStoreTests", dependencies: ["SwiftletStore", "SwiftletModel"]),
        .testTarget(name: "SwiftletHTTPTests", dependencies: ["SwiftletHTTP", "SwiftletSystem"]),
        .testTarget(
            name: "SwiftletLambdaTests",
            dependencies: ["SwiftletLambda", "SwiftletHTTP", "SwiftletStore", "SwiftletModel", "SwiftletSystem"]),
        .testTarget(name: "SwiftletCLITests", dependencies: ["SwiftletCLI", "SwiftletSystem"]),
        .testTarget(
            name: "SwiftletServicesTests",
            dependencies: ["SwiftletServices", "SwiftletStore", "SwiftletHTTP", "SwiftletModel", "SwiftletSystem"]),
        .testTarget(
            name: "SwiftletRuntimeTests",
            dependencies: [
                "SwiftletRuntime", "SwiftletLauncher", "SwiftletHTTP", "SwiftletStore", "SwiftletModel",
                "SwiftletSystem",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
