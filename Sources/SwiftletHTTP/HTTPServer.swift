import CMicroHTTPD
import Foundation
import SwiftletSystem
import Synchronization

/// Something that answers requests. Called on one of the server's threads; it must answer through the
/// responder, either before returning (fast path) or later from any thread (the request is held open and
/// no thread waits for it).
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest, responder: HTTPResponder)
}

/// How the server listens and what it accepts.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind, numeric (`127.0.0.1`, `::1`) or a name that resolves to one.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one (see ``HTTPServer/port``).
    public var port: UInt16 = 9000
    /// Threads polling connections. Handlers run on them, so this bounds how many run at once.
    public var threads: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Bodies past this many bytes are discarded and the request is marked ``HTTPRequest/bodyTooLarge``.
    public var maxBodyBytes: Int = 70_167_211
    /// Seconds an idle keep-alive connection is kept. Held (suspended) requests never time out.
    public var idleTimeoutSeconds: Int = 120
    /// False for a server with no socket of its own, fed connections through ``HTTPServer/adopt(_:tag:)``.
    public var listens = true
    /// Fills ``HTTPRequest/localPort`` with the port each connection reached, to tell callers apart by endpoint.
    public var reportsLocalPort = false

    public init() {}
}

/// Errors starting the server.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// An HTTP/1.1 server over libmicrohttpd: keep-alive, chunked uploads, a pool of epoll threads, and requests
/// that can be held open and answered later from another thread (suspend and resume).
public final class HTTPServer: Sendable {
    /// The bound port, useful when the configuration asked for port 0.
    public var port: UInt16 { boundPort.load(ordering: .relaxed) }
    private let boundPort = Atomic<UInt16>(0)
    let handler: any HTTPHandler
    let logger: Logger
    let maxBodyBytes: Int
    let reportsLocalPort: Bool
    /// The daemon; set once at start and cleared by `stop`, under the lock.
    private let daemon: Mutex<DaemonHandle?>
    /// Responders whose handlers returned without answering, so `stop` can release them.
    let held = HeldRequests()
    /// Requests between their first callback and their completion.
    let inFlight = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Tags given to adopted connections, by socket; see ``adopt(_:tag:)``.
    let connectionTags = Mutex<[Int32: Int]>([:])

    /// Binds and starts serving.
    /// - Throws: ``HTTPServerError`` when the address does not resolve or cannot be bound.
    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) throws {
        self.handler = handler
        self.logger = logger
        self.maxBodyBytes = configuration.maxBodyBytes
        self.reportsLocalPort = configuration.reportsLocalPort
        self.daemon = Mutex(nil)
        let address =
            configuration.listens ? try SocketAddress.resolve(host: configuration.host, port: configuration.port) : nil

        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if address?.isIPv6 == true { flags |= MHD_USE_IPv6.rawValue }
        if address == nil { flags |= MHD_USE_NO_LISTEN_SOCKET.rawValue }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let common: [any CVarArg] = [
            option(.NOTIFY_COMPLETED), unsafeBitCast(requestCompleted, to: OpaquePointer.self),
            OpaquePointer(context),
            option(.THREAD_POOL_SIZE), UInt32(max(1, configuration.threads)),
            option(.CONNECTION_TIMEOUT), UInt32(configuration.idleTimeoutSeconds),
        ]
        let started: OpaquePointer?
        if let address {
            started = address.withSockaddr { sockaddrPointer in
                let arguments: [any CVarArg] =
                    common + [
                        option(.SOCK_ADDR), OpaquePointer(sockaddrPointer),
                        option(.LISTENING_ADDRESS_REUSE), UInt32(1), option(.END),
                    ]
                return withVaList(arguments) { list in
                    MHD_start_daemon_va(flags, configuration.port, nil, nil, accessHandler, context, list)
                }
            }
        } else {
            started = withVaList(common + [option(.END)]) { list in
                MHD_start_daemon_va(flags, 0, nil, nil, accessHandler, context, list)
            }
        }
        guard let started else {
            throw HTTPServerError(
                description: "cannot listen on \(configuration.host):\(configuration.port): "
                    + "the address is in use or not available on this host")
        }
        let handle = DaemonHandle(pointer: started)
        daemon.withLock { $0 = handle }
        if address != nil {
            boundPort.store(swiftlet_mhd_bound_port(started), ordering: .relaxed)
            logger.info("listening", [("http.host", configuration.host), ("http.port", "\(self.port)")])
        }
    }

    /// Hands an accepted, non-blocking socket to the server, which owns it from then on (and closes it on failure).
    /// - Parameter tag: reported as ``HTTPRequest/connectionTag`` on the connection's requests.
    /// - Returns: false when the server refused the connection (it is stopping, or out of connections).
    @discardableResult
    public func adopt(_ socket: Int32, tag: Int? = nil) -> Bool {
        // Every adoption sets or clears the entry, so a reused descriptor number never keeps an earlier tag.
        // Tags are meant for servers fed only through adoption (`listens` false), where that always holds.
        connectionTags.withLock { $0[socket] = tag }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let known = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket, $0, &length) == 0 }
        }
        guard known, !isStopping, let current = daemon.withLock({ $0 }) else {
            close(socket)
            return false
        }
        let added = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                MHD_add_connection(current.pointer, socket, $0, length)
            }
        }
        // On failure libmicrohttpd has already closed the socket.
        return added == .YES
    }

    /// Stops accepting connections, answers every held request with 503 and waits (up to two seconds) for the
    /// answers to go out, then closes every connection. Safe to call more than once.
    public func stop() {
        guard let current = daemon.withLock({ $0 }) else { return }
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let listening = MHD_quiesce_daemon(current.pointer)
        if listening >= 0 { close(listening) }

        // libmicrohttpd refuses to stop while a connection is suspended, and a handler still running may hold its
        // request after the first sweep, so sweep until no request is in flight.
        let deadline = DispatchTime.now().uptimeNanoseconds + 2_000_000_000
        repeat {
            for responder in held.removeAll() {
                responder.respond(.text(503, "the server is stopping"))
            }
            if inFlight.load(ordering: .acquiring) == 0 { break }
            usleep(2000)
        } while DispatchTime.now().uptimeNanoseconds < deadline

        daemon.withLock { $0 = nil }
        MHD_stop_daemon(current.pointer)
        logger.info("stopped listening", [("http.port", "\(port)")])
    }

    /// True once ``stop()`` has begun; handlers that return without answering are then answered 503 at once.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    deinit {
        stop()
    }

    /// The libmicrohttpd daemon. Sendable because the only call made on it after start, `MHD_stop_daemon`,
    /// happens once, on whichever thread took it out of the mutex.
    private struct DaemonHandle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private func option(_ value: MHD_OPTION) -> Int32 {
        Int32(bitPattern: value.rawValue)
    }
}
