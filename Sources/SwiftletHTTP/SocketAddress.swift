import Foundation

/// A resolved IPv4 or IPv6 socket address.
struct SocketAddress {
    private var storage = sockaddr_storage()
    private var length: socklen_t = 0

    var isIPv6: Bool { storage.ss_family == sa_family_t(AF_INET6) }

    /// Resolves `host` (numeric or a name) with `getaddrinfo`, preferring the first answer.
    static func resolve(host: String, port: UInt16) throws -> SocketAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw HTTPServerError(description: "cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(result) }
        var address = SocketAddress()
        withUnsafeMutableBytes(of: &address.storage) { destination in
            destination.copyMemory(
                from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        address.length = first.pointee.ai_addrlen
        return address
    }

    /// Runs `body` with a `sockaddr` pointer valid for the duration of the call.
    func withSockaddr<Result>(_ body: (UnsafeMutableRawPointer) throws -> Result) rethrows -> Result {
        var copy = storage
        return try withUnsafeMutableBytes(of: &copy) { try body($0.baseAddress!) }
    }

    /// True when `host` names only loopback addresses (127.0.0.0/8, ::1, or a name resolving to them).
    static func isLoopback(host: String) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, result != nil else { return false }
        defer { freeaddrinfo(result) }
        var cursor = result
        while let entry = cursor {
            let family = entry.pointee.ai_family
            if family == AF_INET {
                let address = entry.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                if UInt32(bigEndian: address.sin_addr.s_addr) >> 24 != 127 { return false }
            } else if family == AF_INET6 {
                let address = entry.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee
                }
                let isLoopback = withUnsafeBytes(of: address.sin6_addr) { bytes in
                    bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
                }
                if !isLoopback { return false }
            } else {
                return false
            }
            cursor = entry.pointee.ai_next
        }
        return true
    }
}

/// Address checks the node makes before it listens.
public enum ListenAddress {
    /// True when every address `host` resolves to is a loopback address.
    public static func isLoopback(_ host: String) -> Bool {
        SocketAddress.isLoopback(host: host)
    }
}
