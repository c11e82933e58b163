import CLinux
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

    init(socket: Int32, port: UInt16, key: Int? = nil, networkNamespace: Int32? = nil) {
        self.socket = socket
        self.port = port
        self.key = key ?? Int(port)
        self.networkNamespace = networkNamespace
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
    /// Network namespaces made ahead of time, each with its listening socket, not yet watched.
    private let prepared = Mutex<[(listener: Int32, namespace: Int32)]>([])
    private let refilling = Atomic<Bool>(false)
    private let preparationQueue = DispatchQueue(label: "swiftlet.endpoints.namespaces", qos: .utility)
    private static let preparedCount = 4

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
        let listener = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw SystemError("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            let error = SystemError("bind")
            Foundation.close(listener)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let endpoint = RuntimeEndpoint(socket: listener, port: UInt16(bigEndian: address.sin_port))
        try acceptConnections(on: endpoint, tag: nil)
        return endpoint
    }

    /// Creates a network namespace with its own loopback and listens at 127.0.0.1:9001 inside it; the endpoint
    /// carries the namespace for the environment to join. Connections are adopted with the endpoint's key as
    /// their tag, which is how the Runtime API tells such environments apart. A namespace prepared ahead of time
    /// is used when there is one (making one costs about 2 ms of a cold start), and the stock is then refilled.
    func openIsolated() throws(SystemError) -> RuntimeEndpoint {
        let ready = prepared.withLock { $0.popLast() }
        let made: (listener: Int32, namespace: Int32)
        if let ready {
            made = ready
        } else {
            made = try Self.makeIsolatedListener()
        }
        let (listener, namespace) = made
        refillPrepared()

        let key = nextIsolatedKey.add(1, ordering: .relaxed).newValue
        let endpoint = RuntimeEndpoint(
            socket: listener, port: NamespacePlan.runtimeAPIPort, key: key, networkNamespace: namespace)
        do {
            try acceptConnections(on: endpoint, tag: key)
        } catch {
            Foundation.close(listener)
            Foundation.close(namespace)
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
        for (listener, namespace) in stock {
            Foundation.close(listener)
            Foundation.close(namespace)
        }
    }

    private func refillPrepared() {
        guard !refilling.exchange(true, ordering: .acquiringAndReleasing) else { return }
        preparationQueue.async { [self] in
            defer { refilling.store(false, ordering: .releasing) }
            while prepared.withLock({ $0.count }) < Self.preparedCount {
                guard let made = try? Self.makeIsolatedListener() else { return }
                prepared.withLock { $0.append(made) }
            }
        }
    }

    private static func makeIsolatedListener() throws(SystemError) -> (listener: Int32, namespace: Int32) {
        var namespace: Int32 = -1
        let listener = swiftlet_isolated_listener(NamespacePlan.runtimeAPIPort, &namespace)
        guard listener >= 0 else { throw SystemError("unshare(CLONE_NEWNET)", code: -listener) }
        return (listener, namespace)
    }

    private func acceptConnections(on endpoint: RuntimeEndpoint, tag: Int?) throws(SystemError) {
        let server = self.server
        try reactor.watch(endpoint.socket) { descriptor in
            while true {
                let connection = accept(descriptor, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED
                }
                _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) | O_NONBLOCK)
                _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                var one: Int32 = 1
                setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                server.adopt(connection, tag: tag)
            }
        }
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
    }

    private func shard(_ key: Int) -> Shard { shards[key % Self.shardCount] }
}
