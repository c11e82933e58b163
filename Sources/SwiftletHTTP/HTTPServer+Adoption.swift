import Foundation
import SwiftletSystem

/// Listening sockets the server does not own: opened here, accepted from on a ``Reactor``'s thread and handed to
/// the server through ``HTTPServer/adopt(_:tag:)``.
extension HTTPServer {
    /// Opens a non-blocking TCP listening socket on `address` (IPv4, host byte order) and `port` (0 picks one).
    /// - Returns: the socket and the port it is bound to.
    public static func openListener(address: UInt32, port: UInt16) throws(SystemError) -> (socket: Int32, port: UInt16)
    {
        let listener = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_addr.s_addr = address.bigEndian
        socketAddress.sin_port = port.bigEndian
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 128) == 0 else {
            let error = SystemError("bind")
            close(listener)
            throw error
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        return (listener, UInt16(bigEndian: socketAddress.sin_port))
    }

    /// Accepts every connection arriving on `listener` from `reactor`'s thread and serves it here, with TCP_NODELAY,
    /// its requests carrying `tag` as ``HTTPRequest/connectionTag``. Stop with `reactor.remove(listener)`.
    public func serveConnections(from listener: Int32, reactor: Reactor, tag: Int? = nil) throws(SystemError) {
        try reactor.watch(listener) { [weak self] descriptor in
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
                guard let self else {
                    close(connection)
                    return false
                }
                _ = self.adopt(connection, tag: tag)
            }
        }
    }
}
