import Foundation

/// Errors of the client.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// A small blocking HTTP/1.1 client over a socket, one connection per request. For the CLI and tests, where a
/// request at a time is all that is needed and no dependency on libcurl is wanted.
public struct HTTPClient: Sendable {
    /// Host name or address.
    public let host: String
    public let port: UInt16
    /// Seconds to wait for the whole answer.
    public var timeout: TimeInterval = 300

    /// Parses `http://host[:port]`.
    public init(baseURL: String) throws {
        guard let components = URLComponents(string: baseURL), components.scheme == "http",
            let host = components.host, !host.isEmpty
        else {
            throw HTTPClientError(
                description:
                    "unsupported endpoint '\(baseURL)': use http://HOST:PORT, for example http://127.0.0.1:9000")
        }
        self.host = host
        self.port = UInt16(components.port ?? 80)
    }

    /// The `Host` header value.
    public var authority: String { port == 80 ? host : "\(host):\(port)" }

    /// Sends a request and reads the whole response.
    /// - Parameter target: the path and query, already percent-encoded.
    public func send(
        method: String, target: String, headers: [(String, String)] = [], body: Data = Data()
    )
        throws -> HTTPResponse
    {
        let socket = try connect()
        defer { close(socket) }

        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\n"
        for (name, value) in headers where name.lowercased() != "host" && name.lowercased() != "content-length" {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        try writeAll(socket, Data(head.utf8))
        try writeAll(socket, body)

        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw HTTPClientError(description: "reading from \(authority): \(String(cString: strerror(errno)))")
            }
            received.append(contentsOf: buffer[0..<count])
        }
        return try Self.parse(received)
    }

    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw HTTPClientError(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        var lastError: Int32 = 0
        while let entry = cursor {
            let socket = Foundation.socket(entry.pointee.ai_family, entry.pointee.ai_socktype, 0)
            if socket >= 0 {
                var seconds = timeval(tv_sec: Int(timeout), tv_usec: 0)
                setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
                var one: Int32 = 1
                setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                if Foundation.connect(socket, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 { return socket }
                lastError = errno
                close(socket)
            }
            cursor = entry.pointee.ai_next
        }
        throw HTTPClientError(
            description: "cannot connect to \(authority): \(String(cString: strerror(lastError))). Is the node running?"
        )
    }

    private func writeAll(_ socket: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.send(
                    socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw HTTPClientError(description: "writing to \(authority): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    /// Parses a complete response: status line, headers, and a body framed by length, chunks, or the close.
    static func parse(_ data: Data) throws -> HTTPResponse {
        let separator = Data("\r\n\r\n".utf8)
        guard let split = data.range(of: separator) else {
            throw HTTPClientError(description: "the server closed the connection without a complete answer")
        }
        let head = String(decoding: data[data.startIndex..<split.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw HTTPClientError(description: "malformed status line")
        }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(
                String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        var body = Data(data[split.upperBound...])
        if headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body)
        } else if let length = headers["Content-Length"].flatMap(Int.init), body.count > length {
            body = body.prefix(length)
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data) throws -> Data {
        var output = Data()
        var index = data.startIndex
        let crlf = Data("\r\n".utf8)
        while index < data.endIndex {
            guard let lineEnd = data.range(of: crlf, in: index..<data.endIndex) else { break }
            let sizeText =
                String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
                .split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw HTTPClientError(description: "malformed chunk size")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard data.distance(from: start, to: data.endIndex) >= size else { break }
            let end = data.index(start, offsetBy: size)
            output.append(data[start..<end])
            index = data.index(end, offsetBy: 2, limitedBy: data.endIndex) ?? data.endIndex
        }
        return output
    }
}
