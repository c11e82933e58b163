import Foundation
import SwiftletHTTP
import SwiftletSystem
import Synchronization

/// The Runtime API address of one environment: a listening socket of its own on loopback, so that the node knows
/// which environment every request comes from by the port it reached.
struct RuntimeEndpoint: Sendable {
    let socket: Int32
    let port: UInt16

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

    private final class Shard: Sendable {
        let environments = Mutex<[UInt16: Environment]>([:])
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
        let server = self.server
        try reactor.watch(listener) { descriptor in
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
                server.adopt(connection)
            }
        }
        return endpoint
    }

    func register(_ environment: Environment) {
        shard(environment.endpoint.port).environments.withLock { $0[environment.endpoint.port] = environment }
    }

    /// The environment whose endpoint is `port`.
    func environment(at port: UInt16) -> Environment? {
        shard(port).environments.withLock { $0[port] }
    }

    /// Stops accepting on the endpoint and forgets it.
    func close(_ endpoint: RuntimeEndpoint) {
        shard(endpoint.port).environments.withLock { _ = $0.removeValue(forKey: endpoint.port) }
        reactor.remove(endpoint.socket)
        Foundation.close(endpoint.socket)
    }

    private func shard(_ port: UInt16) -> Shard { shards[Int(port) % Self.shardCount] }
}
