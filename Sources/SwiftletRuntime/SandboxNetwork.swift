import CNetwork
import Foundation
import SwiftletSystem
import Synchronization

/// The routed network of a node's namespaced environments: a bridge on the host holding the gateway address of a
/// /16 of its own, each environment's veth pair an isolated port of it (it reaches the host, never a neighbour),
/// and an nftables table that masquerades the environments' traffic out through the host's routes and lets
/// them reach nothing of the host itself but the node's API at the gateway.
///
/// Made once at the node's start, after its API listens; ``close()`` removes the table and the bridge.
public final class SandboxNetwork: Sendable {
    /// The bridge, `swl` and eight hex digits of the node's name.
    public let bridgeName: String
    let bridgeIndex: Int32
    /// The subnet's first address (host byte order); the gateway is the next one.
    let subnet: UInt32
    static let prefixLength: UInt8 = 16
    /// The nftables table, `swiftlet_` and the node's name.
    let tableName: String
    /// The file recording this node's pid (see ``ownersDirectory``), removed at close.
    private let ownerFile = Mutex<String?>(nil)
    private let nodeTag: String
    private let leases: Mutex<AddressLeases>

    /// The gateway as environments see it, the node's address for them.
    public var gatewayAddress: String { Self.dotted(subnet + 1) }
    /// The gateway's address in host byte order.
    public var gateway: UInt32 { subnet + 1 }

    private init(bridgeName: String, bridgeIndex: Int32, subnet: UInt32, nodeTag: String) {
        self.bridgeName = bridgeName
        self.bridgeIndex = bridgeIndex
        self.subnet = subnet
        self.nodeTag = nodeTag
        self.tableName = "swiftlet_\(nodeTag)"
        self.leases = Mutex(AddressLeases(capacity: 1 << (32 - Int(Self.prefixLength))))
    }

    /// Builds the node's network: removes what an earlier run with the same name left, picks a /16 of
    /// 100.64.0.0/10 that no interface of the host uses, creates the bridge, turns on IPv4 forwarding and loads
    /// the rules. Needs root and the `nft` command.
    /// - Parameters:
    ///   - node: the node's name (hex digits), which names the bridge and the table.
    ///   - nodePort: the port of the node's API, the one port environments may reach on the host.
    public static func create(
        node: String, nodePort: UInt16, logger: Logger, ownersDirectory: String = SandboxNetwork.ownersDirectory
    ) throws -> SandboxNetwork {
        let tag = String(node.prefix(8))
        let bridgeName = "swl\(tag)"
        removeAbandoned(ownersDirectory: ownersDirectory, logger: logger)
        _ = swiftlet_network_remove_link(bridgeName)
        guard let subnet = freeSubnet(preferring: Int(UInt32(tag, radix: 16) ?? 0)) else {
            throw SandboxNetworkError("every /16 of 100.64.0.0/10 is already in use on this host")
        }
        let index = swiftlet_network_bridge(bridgeName, subnet + 1, prefixLength)
        guard index > 0 else {
            throw SandboxNetworkError("cannot create the bridge \(bridgeName): \(errorText(index))")
        }
        let network = SandboxNetwork(bridgeName: bridgeName, bridgeIndex: index, subnet: subnet, nodeTag: tag)
        do {
            try enableForwarding(logger: logger)
            try network.loadRules(nodePort: nodePort)
        } catch {
            _ = swiftlet_network_remove_link(bridgeName)
            throw error
        }
        let owner = try? recordOwner(of: tag, in: ownersDirectory)
        network.ownerFile.withLock { $0 = owner }
        logger.info(
            "sandbox network ready",
            [
                ("net.bridge", bridgeName), ("net.subnet", "\(dotted(subnet))/\(prefixLength)"),
                ("net.gateway", network.gatewayAddress),
            ])
        return network
    }

    /// Removes the rules and the bridge; the environments' veth pairs went with their namespaces.
    public func close() {
        _ = try? Self.runNft("delete table ip \(tableName)\n")
        _ = swiftlet_network_remove_link(bridgeName)
        if let ownerFile = ownerFile.withLock({ $0 }) { unlink(ownerFile) }
    }

    // MARK: - Networks of nodes that died

    /// Where each node records which process owns its bridge and table; `/run` is emptied at boot, as the bridges
    /// and tables are.
    public static let ownersDirectory = "/run/swiftlet/networks"

    /// Writes `<tag>` holding this process's pid.
    static func recordOwner(of tag: String, in directory: String) throws -> String {
        try FileSystem.makeDirectories(directory)
        let path = "\(directory)/\(tag)"
        try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Removes the bridge and table of every node whose recorded owner is no longer running: a node killed with
    /// SIGKILL cannot remove them itself, and each holds one of the 64 subnets of 100.64.0.0/10.
    static func removeAbandoned(ownersDirectory: String, logger: Logger) {
        for tag in abandonedTags(in: ownersDirectory) {
            _ = try? runNft("delete table ip swiftlet_\(tag)\n")
            _ = swiftlet_network_remove_link("swl\(tag)")
            unlink("\(ownersDirectory)/\(tag)")
            logger.info("removed the network of a node that is gone", [("net.bridge", "swl\(tag)")])
        }
    }

    /// Tags recorded in `directory` whose pid no longer names a running process.
    static func abandonedTags(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.sorted().filter { name in
            guard let text = try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
            else { return true }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
    }

    /// An address for a new environment and the name of its veth pair's host end; nil when all are taken.
    func lease() -> (address: UInt32, hostLink: String)? {
        guard let index = leases.withLock({ $0.take() }) else { return nil }
        return (subnet + UInt32(index), "sv\(nodeTag)\(String(index, radix: 16))")
    }

    /// Gives back an address once its environment's namespace is gone.
    func release(_ address: UInt32) {
        leases.withLock { $0.give(Int(address - subnet)) }
    }

    /// The table: masquerade what leaves through another interface, accept from the bridge only the node's API
    /// port on the gateway (and answers to connections the host opened), and forward nothing to another node's
    /// bridge. Replaces a table of the same name in one transaction.
    private func loadRules(nodePort: UInt16) throws {
        let net = "\(Self.dotted(subnet))/\(Self.prefixLength)"
        let bridge = "\"\(bridgeName)\""
        try Self.runNft(
            """
            table ip \(tableName)
            delete table ip \(tableName)
            table ip \(tableName) {
                chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    ip saddr \(net) oifname != \(bridge) masquerade
                }
                chain input {
                    type filter hook input priority filter; policy accept;
                    iifname \(bridge) ct state established,related accept
                    iifname \(bridge) ip daddr \(gatewayAddress) tcp dport \(nodePort) accept
                    iifname \(bridge) drop
                }
                chain forward {
                    type filter hook forward priority filter; policy accept;
                    iifname \(bridge) oifname "swl*" drop
                }
            }

            """)
    }

    private static func runNft(_ script: String) throws {
        guard
            let nft = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first(where: FileManager.default.isExecutableFile)
        else { throw SandboxNetworkError("the nft command is missing (Debian package nftables)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nft)
        process.arguments = ["-f", "-"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SandboxNetworkError("nft refused the node's rules: \(text)")
        }
    }

    private static func enableForwarding(logger: Logger) throws {
        let path = "/proc/sys/net/ipv4/ip_forward"
        guard FileSystem.readNumber(path) != 1 else { return }
        do {
            try Data("1\n".utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw SandboxNetworkError("cannot turn on IPv4 forwarding (\(path)): \(error)")
        }
        logger.info("turned on IPv4 forwarding for the environments' traffic", [("net.sysctl", path)])
    }

    /// The first /16 of 100.64.0.0/10, from `preferring` on, that holds no address of the host's interfaces.
    static func freeSubnet(preferring start: Int) -> UInt32? {
        var used = Set<UInt32>()
        var list: UnsafeMutablePointer<ifaddrs>?
        if getifaddrs(&list) == 0 {
            var entry = list
            while let current = entry {
                if let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) {
                    let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
                    }
                    used.insert(value >> 16)
                }
                entry = current.pointee.ifa_next
            }
            freeifaddrs(list)
        }
        for step in 0..<64 {
            let second = UInt32(64 + (start + step) % 64)
            let prefix = (100 << 8) | second
            if !used.contains(prefix) { return prefix << 16 }
        }
        return nil
    }

    static func dotted(_ address: UInt32) -> String {
        "\(address >> 24).\((address >> 16) & 0xff).\((address >> 8) & 0xff).\(address & 0xff)"
    }

    static func errorText(_ negativeErrno: Int32) -> String { String(cString: strerror(-negativeErrno)) }
}

/// Addresses of a subnet handed out in turn, so that one given back is not reused until every other has been:
/// the kernel removes a dead namespace's veth pair a little after its last descriptor closes.
struct AddressLeases {
    private let capacity: Int
    private var next = 2
    private var taken = Set<Int>()

    /// - Parameter capacity: addresses in the subnet; the first two (network, gateway) and the last are never
    ///   handed out.
    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func take() -> Int? {
        guard taken.count < capacity - 3 else { return nil }
        while taken.contains(next) { advance() }
        let chosen = next
        taken.insert(chosen)
        advance()
        return chosen
    }

    mutating func give(_ index: Int) {
        taken.remove(index)
    }

    private mutating func advance() {
        next = next + 1 >= capacity - 1 ? 2 : next + 1
    }
}

/// Why the node's sandbox network could not be made.
public struct SandboxNetworkError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
