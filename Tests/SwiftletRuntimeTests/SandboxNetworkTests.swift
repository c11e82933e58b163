import Foundation
import SwiftletSystem
import Testing

@testable import SwiftletRuntime

/// How the sandbox network hands out addresses and picks its subnet.
@Suite("SandboxNetwork addresses")
struct SandboxNetworkTests {
    @Test func leasesSkipTheNetworkTheGatewayAndTheBroadcastAndRunOutAtCapacity() {
        var leases = AddressLeases(capacity: 8)

        let taken = (0..<6).compactMap { _ in leases.take() }

        #expect(taken == [2, 3, 4, 5, 6])
        #expect(leases.take() == nil)
    }

    @Test func anAddressGivenBackIsReusedOnlyAfterTheOthers() {
        var leases = AddressLeases(capacity: 16)
        let first = leases.take()
        _ = leases.take()

        leases.give(first!)

        #expect(leases.take() == 4)
        #expect(leases.take() == 5)
    }

    @Test func leasesWrapAroundPastTakenOnes() {
        var leases = AddressLeases(capacity: 8)
        let all = (0..<5).compactMap { _ in leases.take() }
        leases.give(3)
        leases.give(6)

        #expect(all.count == 5)
        #expect(leases.take() == 3)
        #expect(leases.take() == 6)
    }

    @Test func subnetIsASlashSixteenOfTheSharedAddressSpace() throws {
        let subnet = try #require(SandboxNetwork.freeSubnet(preferring: 5))

        #expect(subnet >> 24 == 100)
        #expect((subnet >> 16) & 0xff >= 64 && (subnet >> 16) & 0xff < 128)
        #expect(subnet & 0xffff == 0)
        #expect(SandboxNetwork.dotted(subnet + 1).hasSuffix(".0.1"))
    }
}

@Suite("SandboxNetwork owners")
struct SandboxNetworkOwnerTests {
    @Test func networksOfProcessesThatAreGoneAreAbandoned() throws {
        try withTemporaryDirectory { folder in
            let dead = try ChildProcess.spawn(
                ChildProcessSpec(executable: "/bin/true", arguments: ["true"], environment: [:], directory: "/"))
            while dead.reap() == nil { usleep(1000) }
            dead.closeDescriptor()
            try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/aaaa1111"))
            try Data("\(dead.pid)\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/bbbb2222"))
            try Data("not a pid".utf8).write(to: URL(fileURLWithPath: "\(folder)/cccc3333"))

            #expect(SandboxNetwork.abandonedTags(in: folder) == ["bbbb2222", "cccc3333"])
            #expect(SandboxNetwork.abandonedTags(in: "\(folder)/missing").isEmpty)
        }
    }

    @Test func theOwnerFileHoldsThisProcess() throws {
        try withTemporaryDirectory { folder in
            let path = try SandboxNetwork.recordOwner(of: "dddd4444", in: "\(folder)/owners")

            #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(getpid())\n")
            #expect(SandboxNetwork.abandonedTags(in: "\(folder)/owners").isEmpty)
        }
    }
}
