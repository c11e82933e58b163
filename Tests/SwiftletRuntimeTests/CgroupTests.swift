import Foundation
import SwiftletSystem
import Testing

@testable import SwiftletRuntime

/// The controller is exercised on plain folders laid out like cgroup mounts. Unlike cgroupfs, a plain folder does not
/// create control files by itself, so tests create the files the code writes into, and `rmdir` only removes empty
/// folders.
@Suite("CgroupController")
struct CgroupControllerTests {
    @Test func rootWithoutControllersOrMemoryIsUnavailableWithAReason() throws {
        try withTemporaryDirectory { root in
            let controller = CgroupController.detect(root: root, node: "n1")

            let reason = try #require(controller.unavailableReason)
            #expect(reason.contains(root))
            #expect(controller.create(name: "env", memoryLimitBytes: 1 << 20) == nil)
        }
    }

    @Test func unifiedHierarchyWithoutMemoryControllerIsUnavailable() throws {
        try withTemporaryDirectory { root in
            try writeFile("cgroup.controllers", in: root, contents: "cpuset cpu io pids\n")

            let controller = CgroupController.detect(root: root, node: "n1")

            #expect(controller.flavor == .unavailable("the cgroup v2 hierarchy has no memory controller"))
        }
    }

    @Test func legacyLayoutCreatesTheNodeParentUnderSwiftlet() throws {
        try withTemporaryDirectory { root in
            try writeFile("memory/memory.limit_in_bytes", in: root, contents: "9223372036854771712\n")

            let controller = CgroupController.detect(root: root, node: "n1")

            // The parent is two levels below the mount; on a host where no node ever ran, `swiftlet` does not exist.
            #expect(controller.flavor == .legacyMemory("\(root)/memory/swiftlet/n1"))
            #expect(FileSystem.exists("\(root)/memory/swiftlet/n1"))
        }
    }

    @Test func legacyLayoutWithExistingSwiftletFolderUsesTheNodeParent() throws {
        try withTemporaryDirectory { root in
            try writeFile("memory/memory.limit_in_bytes", in: root)
            try FileSystem.makeDirectories("\(root)/memory/swiftlet")

            let controller = CgroupController.detect(root: root, node: "n1")

            #expect(controller.flavor == .legacyMemory("\(root)/memory/swiftlet/n1"))
            #expect(controller.unavailableReason == nil)
            #expect(FileSystem.exists("\(root)/memory/swiftlet/n1"))
        }
    }

    @Test func unifiedLayoutUsesTheNodeParentAndHandsDownMemory() throws {
        try withTemporaryDirectory { root in
            // cgroupfs gives every group its control files; a plain folder needs them made by hand.
            try writeFile("cgroup.controllers", in: root, contents: "cpu io memory pids\n")
            try FileSystem.makeDirectories("\(root)/swiftlet/n1")
            for level in [root, "\(root)/swiftlet", "\(root)/swiftlet/n1"] {
                try writeFile("cgroup.subtree_control", in: level, contents: "")
            }

            let controller = CgroupController.detect(root: root, node: "n1")

            #expect(controller.flavor == .unified("\(root)/swiftlet/n1"))
            for level in [root, "\(root)/swiftlet", "\(root)/swiftlet/n1"] {
                #expect(contents(of: "\(level)/cgroup.subtree_control")?.contains("+memory") == true)
            }
        }
    }

    @Test func legacyCreateWritesMemoryAndSwapLimits() throws {
        try withTemporaryDirectory { root in
            let parent = "\(root)/memory/swiftlet/n1"
            try FileSystem.makeDirectories(parent)
            // The kernel would create these files with the folder.
            try writeFile("env1/memory.limit_in_bytes", in: parent)
            try writeFile("env1/memory.memsw.limit_in_bytes", in: parent)
            let controller = CgroupController(flavor: .legacyMemory(parent))

            let group = try #require(controller.create(name: "env1", memoryLimitBytes: 128 << 20))

            #expect(group.path == "\(parent)/env1")
            #expect(contents(of: "\(parent)/env1/memory.limit_in_bytes") == "134217728")
            #expect(contents(of: "\(parent)/env1/memory.memsw.limit_in_bytes") == "134217728")
        }
    }

    @Test func unifiedCreateWritesMemoryMaxAndForbidsSwap() throws {
        try withTemporaryDirectory { root in
            try writeFile("env1/memory.max", in: root)
            try writeFile("env1/memory.swap.max", in: root)
            let controller = CgroupController(flavor: .unified(root))

            let group = try #require(controller.create(name: "env1", memoryLimitBytes: 256 << 20))

            #expect(group.path == "\(root)/env1")
            #expect(contents(of: "\(root)/env1/memory.max") == "268435456")
            #expect(contents(of: "\(root)/env1/memory.swap.max") == "0")
        }
    }

    @Test func unifiedFreezingWritesCgroupFreeze() throws {
        try withTemporaryDirectory { root in
            try writeFile("env1/cgroup.freeze", in: root)
            let group = Cgroup(path: "\(root)/env1", flavor: .unified(root))

            #expect(group.setFrozen(true))
            #expect(contents(of: "\(root)/env1/cgroup.freeze") == "1")
            #expect(group.setFrozen(false))
            #expect(contents(of: "\(root)/env1/cgroup.freeze") == "0")
        }
    }

    @Test func legacyFreezingUsesTheFreezerHierarchyOrSaysItCannot() throws {
        try withTemporaryDirectory { root in
            let freezer = "\(root)/freezer/swiftlet/n1/env1"
            try writeFile("freezer.state", in: freezer)
            let withFreezer = Cgroup(
                path: "\(root)/memory/swiftlet/n1/env1", flavor: .legacyMemory("\(root)/memory/swiftlet/n1"),
                limitPaths: ["\(root)/pids/swiftlet/n1/env1", freezer])
            let without = Cgroup(
                path: "\(root)/memory/swiftlet/n1/env1", flavor: .legacyMemory("\(root)/memory/swiftlet/n1"))

            #expect(withFreezer.setFrozen(true))
            #expect(contents(of: "\(freezer)/freezer.state") == "FROZEN")
            #expect(withFreezer.setFrozen(false))
            #expect(contents(of: "\(freezer)/freezer.state") == "THAWED")
            #expect(!without.setFrozen(true))
        }
    }

    @Test func createMakesTheGroupFolder() throws {
        try withTemporaryDirectory { root in
            let controller = CgroupController(flavor: .legacyMemory(root))

            let group = try #require(controller.create(name: "env2", memoryLimitBytes: 1 << 20))

            #expect(FileSystem.exists(group.path))
        }
    }

    @Test func detectRemovesGroupsLeftByAnEarlierRun() throws {
        try withTemporaryDirectory { root in
            try writeFile("memory/memory.limit_in_bytes", in: root)
            let parent = "\(root)/memory/swiftlet/n1"
            try FileSystem.makeDirectories("\(parent)/leftover1")
            try FileSystem.makeDirectories("\(parent)/leftover2")
            // Names with a dot are control files or folders the node did not create.
            try FileSystem.makeDirectories("\(parent)/not.a.group")
            try writeFile("memory.usage_in_bytes", in: parent, contents: "0\n")

            _ = CgroupController.detect(root: root, node: "n1")

            #expect(!FileSystem.exists("\(parent)/leftover1"))
            #expect(!FileSystem.exists("\(parent)/leftover2"))
            #expect(FileSystem.exists("\(parent)/not.a.group"))
            #expect(FileSystem.exists("\(parent)/memory.usage_in_bytes"))
        }
    }

    @Test func destroyRemovesTheGroupFolder() throws {
        try withTemporaryDirectory { root in
            let controller = CgroupController(flavor: .unified(root))
            let group = try #require(controller.create(name: "env3", memoryLimitBytes: 1 << 20))

            group.destroy()

            #expect(!FileSystem.exists(group.path))
        }
    }
}

@Suite("Cgroup")
struct CgroupTests {
    @Test func legacyPeakIsTheMaxUsage() throws {
        try withTemporaryDirectory { root in
            try writeFile("memory.max_usage_in_bytes", in: root, contents: "41943040\n")
            let group = Cgroup(path: root, flavor: .legacyMemory(root))

            #expect(group.peakMemoryBytes() == 41_943_040)
        }
    }

    @Test func unifiedPeakFallsBackToCurrentUsage() throws {
        try withTemporaryDirectory { root in
            let group = Cgroup(path: root, flavor: .unified(root))
            try writeFile("memory.current", in: root, contents: "1000\n")
            #expect(group.peakMemoryBytes() == 1000)

            try writeFile("memory.peak", in: root, contents: "2000\n")
            #expect(group.peakMemoryBytes() == 2000)
        }
    }

    @Test func unifiedOutOfMemoryIsAnOomKillCountAboveZero() throws {
        try withTemporaryDirectory { root in
            let group = Cgroup(path: root, flavor: .unified(root))
            #expect(!group.wasOutOfMemory())

            try writeFile("memory.events", in: root, contents: "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n")
            #expect(!group.wasOutOfMemory())

            try writeFile("memory.events", in: root, contents: "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
            #expect(group.wasOutOfMemory())
        }
    }

    @Test func legacyOutOfMemoryIsAnOomKillCountAboveZero() throws {
        try withTemporaryDirectory { root in
            let group = Cgroup(path: root, flavor: .legacyMemory(root))
            try writeFile("memory.oom_control", in: root, contents: "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n")
            #expect(!group.wasOutOfMemory())

            try writeFile("memory.oom_control", in: root, contents: "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
            #expect(group.wasOutOfMemory())
        }
    }

    @Test func unavailableGroupMeasuresNothing() {
        let group = Cgroup(path: "/nonexistent", flavor: .unavailable("none"))

        #expect(group.peakMemoryBytes() == nil)
        #expect(!group.wasOutOfMemory())
    }
}
