import CLinux
import CNetwork
import Foundation
import SwiftletHTTP
import SwiftletLauncher
import SwiftletSystem
import Synchronization

/// The Runtime API address of one environment: a listening socket of its own on loopback, so that the node knows
/// which environment every request comes from by the port it reached, or, for an endpoint inside a network
/// namespace of its own (where every environment uses the same port), by the tag its connections are adopted with.
struct RuntimeEndpoint: Sendable {
    let socket: Int32
    let port: UInt16
    /// What identifies the environment: the port for a node-side endpoint, a number above every port otherwise.
    let key: Int
    /// The environment's network namespace, for an endpoint opened inside one.
    let networkNamespace: Int32?
    /// The environment's address on the node's sandbox network, for a namespace routed outside.
    let routedAddress: UInt32?

    init(
        socket: Int32, port: UInt16, key: Int? = nil, networkNamespace: Int32? = nil, routedAddress: UInt32? = nil
    ) {
        self.socket = socket
        self.port = port
        self.key = key ?? Int(port)
        self.networkNamespace = networkNamespace
        self.routedAddress = routedAddress
    }

    /// `AWS_LAMBDA_RUNTIME_API` for the environment.
    var address: String { "127.0.0.1:\(port)" }
}

/// Opens and closes environments' endpoints, accepts their connections on the reactor thread and hands them to
/// the Runtime API server; maps each port back to its environment.
final class RuntimeEndpoints: Sendable {
    private let server: HTTPServer
    private let reactor: Reactor
    private let shards: [Shard]
    private static let shardCount = 16
    /// The next key for an endpoint inside a network namespace; above 65535 so it never equals a port.
    private let nextIsolatedKey = Atomic<Int>(1 << 16)
    /// Network namespaces made ahead of time, routed when the node has a sandbox network, each with its
    /// listening socket, not yet watched.
    private let prepared = Mutex<[IsolatedListener]>([])
    /// The node's sandbox network, once it has one.
    private let network = Mutex<SandboxNetwork?>(nil)
    private let refilling = Atomic<Bool>(false)
    private let preparationQueue = DispatchQueue(label: "swiftlet.endpoints.namespaces", qos: .utility)
    private static let preparedCount = 4

    /// A network namespace with the Runtime API's listening socket in it.
    private struct IsolatedListener {
        let listener: Int32
        let namespace: Int32
        let routedAddress: UInt32?
    }

    private final class Shard: Sendable {
        let environments = Mutex<[Int: Environment]>([:])
    }

    init(server: HTTPServer, reactor: Reactor) {
        self.server = server
        self.reactor = reactor
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    /// Binds a fresh loopback port and starts accepting on it.
    func open() throws(SystemError) -> RuntimeEndpoint {
        let (listener, port) = try HTTPServer.openListener(address: 0x7f00_0001, port: 0)
        let endpoint = RuntimeEndpoint(socket: listener, port: port)
        do {
            try server.serveConnections(from: listener, reactor: reactor)
        } catch {
            Foundation.close(listener)
            throw error
        }
        return endpoint
    }

    /// Routes the namespaces made from now on through `network`; those prepared before (loopback only) go.
    func use(_ network: SandboxNetwork) {
        self.network.withLock { $0 = network }
        closePrepared()
        refillPrepared()
    }

    /// Creates a network namespace with its own loopback and listens at 127.0.0.1:9001 inside it; the endpoint
    /// carries the namespace for the environment to join. Connections are adopted with the endpoint's key as
    /// their tag, which is how the Runtime API tells such environments apart.
    ///
    /// - Parameter routed: give the namespace a veth pair on the node's sandbox network, when it has one, so that
    ///   the environment reaches the node's API and, through the host's routes, the outside. A namespace of the
    ///   usual kind (routed when the node has a network) prepared ahead of time is used when there is one (making
    ///   one costs milliseconds of a cold start), and the stock is then refilled.
    func openIsolated(routed: Bool) throws(SystemError) -> RuntimeEndpoint {
        let network = self.network.withLock { $0 }
        let made: IsolatedListener
        if routed || network == nil {
            if let ready = prepared.withLock({ $0.popLast() }) {
                made = ready
            } else {
                made = try Self.makeIsolatedListener(network: network)
            }
            refillPrepared()
        } else {
            made = try Self.makeIsolatedListener(network: nil)
        }

        let key = nextIsolatedKey.add(1, ordering: .relaxed).newValue
        let endpoint = RuntimeEndpoint(
            socket: made.listener, port: NamespacePlan.runtimeAPIPort, key: key, networkNamespace: made.namespace,
            routedAddress: made.routedAddress)
        do {
            try server.serveConnections(from: made.listener, reactor: reactor, tag: key)
        } catch {
            discard(made)
            throw error
        }
        return endpoint
    }

    /// Closes the namespaces prepared and not used; for the node's stop.
    func closePrepared() {
        let stock = prepared.withLock { stock in
            defer { stock.removeAll() }
            return stock
        }
        for made in stock { discard(made) }
    }

    /// Keeps a few namespaces of the usual kind ready.
    private func refillPrepared() {
        let network = network.withLock { $0 }
        guard !refilling.exchange(true, ordering: .acquiringAndReleasing) else { return }
        preparationQueue.async { [self] in
            defer { refilling.store(false, ordering: .releasing) }
            while prepared.withLock({ $0.count }) < Self.preparedCount {
                guard let made = try? Self.makeIsolatedListener(network: network) else { return }
                prepared.withLock { $0.append(made) }
            }
        }
    }

    private func discard(_ made: IsolatedListener) {
        Foundation.close(made.listener)
        Foundation.close(made.namespace)
        if let address = made.routedAddress { network.withLock { $0 }?.release(address) }
    }

    private static func makeIsolatedListener(network: SandboxNetwork?) throws(SystemError) -> IsolatedListener {
        let lease = network?.lease()
        if network != nil, lease == nil {
            throw SystemError("veth", code: EADDRNOTAVAIL)
        }
        var namespace: Int32 = -1
        let listener: Int32
        if let network, let lease {
            listener = lease.hostLink.withCString { hostLink in
                var request = swiftlet_namespace_request(
                    listener_port: NamespacePlan.runtimeAPIPort, host_link: hostLink,
                    bridge_index: network.bridgeIndex, address: lease.address, gateway: network.gateway,
                    prefix_length: SandboxNetwork.prefixLength)
                return swiftlet_network_namespace(&request, &namespace)
            }
            if listener < 0 { network.release(lease.address) }
        } else {
            var request = swiftlet_namespace_request(
                listener_port: NamespacePlan.runtimeAPIPort, host_link: nil, bridge_index: 0, address: 0, gateway: 0,
                prefix_length: 0)
            listener = swiftlet_network_namespace(&request, &namespace)
        }
        guard listener >= 0 else { throw SystemError("network namespace", code: -listener) }
        return IsolatedListener(listener: listener, namespace: namespace, routedAddress: lease?.address)
    }

    func register(_ environment: Environment) {
        shard(environment.endpoint.key).environments.withLock { $0[environment.endpoint.key] = environment }
    }

    /// The environment whose endpoint has `key` (its port, or its tag for an endpoint in a namespace).
    func environment(forKey key: Int) -> Environment? {
        shard(key).environments.withLock { $0[key] }
    }

    /// Stops accepting on the endpoint and forgets it; its network namespace goes once nothing else holds it.
    func close(_ endpoint: RuntimeEndpoint) {
        shard(endpoint.key).environments.withLock { _ = $0.removeValue(forKey: endpoint.key) }
        reactor.remove(endpoint.socket)
        Foundation.close(endpoint.socket)
        if let namespace = endpoint.networkNamespace { Foundation.close(namespace) }
        if let address = endpoint.routedAddress { network.withLock { $0 }?.release(address) }
    }

    private func shard(_ key: Int) -> Shard { shards[key % Self.shardCount] }
}
