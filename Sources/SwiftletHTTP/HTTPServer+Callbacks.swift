import CMicroHTTPD
import Foundation
import SwiftletSystem
import Synchronization

/// One request's progress on its connection. libmicrohttpd calls back for a connection on one thread at a time,
/// so the fields need no lock; the object lives in the connection's `con_cls` slot from the first call until
/// the request-completed callback.
final class Exchange {
    let method: String
    let path: String
    let query: [(name: String, value: String)]
    let headers: HTTPHeaders
    let started = DispatchTime.now().uptimeNanoseconds
    var body = Data()
    var received = 0
    var tooLarge = false
    var dispatched = false
    var status = 0
    let responder: HTTPResponder
    var localPort: UInt16 = 0
    var connectionTag: Int?

    init(
        method: String, path: String, query: [(name: String, value: String)], headers: HTTPHeaders,
        responder: HTTPResponder
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.responder = responder
    }
}

/// Collects key-value pairs from `MHD_get_connection_values`.
private final class PairCollector {
    var pairs: [(String, String)] = []
}

private func collectPairs(_ connection: OpaquePointer?, kind: MHD_ValueKind) -> [(String, String)] {
    let collector = PairCollector()
    let context = Unmanaged.passUnretained(collector).toOpaque()
    _ = MHD_get_connection_values(
        connection, kind,
        { context, _, key, value in
            guard let context, let key else { return .YES }
            let collector = Unmanaged<PairCollector>.fromOpaque(context).takeUnretainedValue()
            collector.pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
            return .YES
        }, context)
    return collector.pairs
}

/// The local port of a connected socket.
private func localPort(of socket: Int32) -> UInt16 {
    guard socket >= 0 else { return 0 }
    var address = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let found = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) == 0 }
    }
    guard found else { return 0 }
    switch Int32(address.ss_family) {
    case AF_INET:
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    case AF_INET6:
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
        }
    default: return 0
    }
}

/// libmicrohttpd's access handler: called once when the headers are in, once per chunk of body, once when the
/// body is complete, and once more after each resume.
let accessHandler: MHD_AccessHandlerCallback = {
    context, connection, url, method, _, uploadData, uploadDataSize, slot in
    guard let context, let slot, let uploadDataSize else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()

    guard let existing = slot.pointee else {
        // Headers are in. Answering here would lose keep-alive, so the request is only recorded.
        let exchange = Exchange(
            method: method.map { String(cString: $0) } ?? "GET",
            path: url.map { String(cString: $0) } ?? "/",
            query: collectPairs(connection, kind: .GET_ARGUMENT_KIND).map { (name: $0.0, value: $0.1) },
            headers: HTTPHeaders(collectPairs(connection, kind: .HEADER_KIND)),
            responder: HTTPResponder(connection: connection))
        if server.reportsLocalPort, let connection {
            let socket = swiftlet_mhd_connection_fd(connection)
            exchange.localPort = localPort(of: socket)
            exchange.connectionTag = server.connectionTags.withLock { $0[socket] }
        }
        slot.pointee = Unmanaged.passRetained(exchange).toOpaque()
        server.inFlight.add(1, ordering: .relaxed)
        return .YES
    }
    let exchange = Unmanaged<Exchange>.fromOpaque(existing).takeUnretainedValue()

    let chunk = uploadDataSize.pointee
    if chunk > 0 {
        exchange.received += chunk
        if !exchange.tooLarge {
            if exchange.body.count + chunk > server.maxBodyBytes {
                exchange.tooLarge = true
                exchange.body = Data()
            } else if let uploadData {
                exchange.body.append(UnsafeRawPointer(uploadData).assumingMemoryBound(to: UInt8.self), count: chunk)
            }
        }
        uploadDataSize.pointee = 0
        return .YES
    }

    if !exchange.dispatched {
        exchange.dispatched = true
        var request = HTTPRequest(
            method: exchange.method, path: exchange.path, query: exchange.query, headers: exchange.headers,
            body: exchange.body, bodyTooLarge: exchange.tooLarge, bodyLength: exchange.received)
        request.localPort = exchange.localPort
        request.connectionTag = exchange.connectionTag
        exchange.body = Data()
        server.handler.handle(request, responder: exchange.responder)
        if server.isStopping {
            exchange.responder.respond(.text(503, "the server is stopping"))
        }
        if let response = exchange.responder.handlerReturned() {
            return server.queue(response, on: connection, exchange: exchange)
        }
        server.held.insert(exchange.responder)
        return .YES
    }

    // Called again after a resume: the answer is ready.
    if let response = exchange.responder.takeAnswer() {
        server.held.remove(exchange.responder)
        return server.queue(response, on: connection, exchange: exchange)
    }
    return .YES
}

/// libmicrohttpd's request-completed callback: releases the exchange and logs the request.
let requestCompleted: MHD_RequestCompletedCallback = { context, _, slot, termination in
    guard let context, let slot, let existing = slot.pointee else { return }
    slot.pointee = nil
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let exchange = Unmanaged<Exchange>.fromOpaque(existing).takeRetainedValue()
    server.held.remove(exchange.responder)
    exchange.responder.complete()
    server.inFlight.subtract(1, ordering: .relaxed)
    if server.logger.enabled(.debug) {
        let micros = (DispatchTime.now().uptimeNanoseconds - exchange.started) / 1000
        server.logger.debug(
            "request",
            [
                ("http.method", exchange.method), ("http.path", exchange.path),
                ("http.status", "\(exchange.status)"), ("http.request_bytes", "\(exchange.received)"),
                ("http.duration_us", "\(micros)"),
                ("http.outcome", termination == .REQUEST_TERMINATED_COMPLETED_OK ? "ok" : "aborted"),
            ])
    }
}

extension HTTPServer {
    /// Builds the libmicrohttpd response and queues it.
    func queue(_ response: HTTPResponse, on connection: OpaquePointer?, exchange: Exchange) -> MHD_Result {
        exchange.status = response.status
        let mhdResponse: OpaquePointer? = response.body.withUnsafeBytes { raw in
            // MUST_COPY: libmicrohttpd copies the bytes, so the buffer need not outlive this call.
            MHD_create_response_from_buffer(
                raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let mhdResponse else { return .NO }
        defer { MHD_destroy_response(mhdResponse) }
        for field in response.headers {
            _ = MHD_add_response_header(mhdResponse, field.name, field.value)
        }
        return MHD_queue_response(connection, UInt32(response.status), mhdResponse)
    }
}
