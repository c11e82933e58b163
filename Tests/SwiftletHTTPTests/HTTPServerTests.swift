import Dispatch
import Foundation
import SwiftletHTTP
import Testing

@Suite("HTTPServer")
struct HTTPServerTests {
    @Test func portZeroBindsAFreePort() throws {
        try withServer(handler: { _, responder in responder.respond(ok("")) }) { server, _ in
            #expect(server.port != 0)
        }
    }

    @Test func handlerAnsweringAtOnceIsAnswered() throws {
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            var response = ok("hello \(request.method) \(request.path)")
            response.headers.add("X-Test", "yes")
            responder.respond(response)
        }
        try withServer(handler: handler) { _, client in
            let response = try client.send(method: "GET", target: "/greet")
            #expect(response.status == 200)
            #expect(response.text == "hello GET /greet")
            #expect(response.headers["x-test"] == "yes")
        }
    }

    @Test func heldRequestIsAnsweredLaterFromAnotherThread() throws {
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { _, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
                responder.respond(.text(202, "later"))
            }
        }
        try withServer(handler: handler) { _, client in
            let started = DispatchTime.now()
            let response = try client.send(method: "POST", target: "/hold", body: Data("payload".utf8))
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            #expect(response.status == 202)
            #expect(response.text == "later")
            #expect(elapsed >= 0.045)
        }
    }

    @Test func heldRequestLeavesTheOnlyServerThreadFree() throws {
        // The slow request is held until the fast one is answered; with one thread this only ends if holding
        // a request does not occupy the thread.
        let held = Box<HTTPResponder?>(nil)
        let arrived = DispatchSemaphore(value: 0)
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            if request.path == "/slow" {
                held.value = responder
                arrived.signal()
            } else {
                responder.respond(ok("fast"))
                held.value?.respond(ok("slow"))
            }
        }
        try withServer(threads: 1, handler: handler) { _, client in
            let slow = Background { try client.send(method: "GET", target: "/slow") }
            #expect(arrived.wait(timeout: .now() + 10) == .success)
            #expect(!slow.isFinished)

            let fast = try client.send(method: "GET", target: "/fast")
            #expect(fast.text == "fast")
            #expect(try slow.value().text == "slow")
        }
    }

    @Test func manyHeldRequestsAreAnsweredTogether() throws {
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
                responder.respond(ok(request.path))
            }
        }
        try withServer(threads: 1, handler: handler) { _, client in
            let pending = (0..<16).map { index in Background { try client.send(method: "GET", target: "/r\(index)") } }
            let answers = try pending.map { try $0.value().text }
            #expect(answers == (0..<16).map { "/r\($0)" })
        }
    }

    @Test func onlyTheFirstAnswerCounts() throws {
        let outcomes = Box<[Bool]>([])
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { _, responder in
            let first = responder.respond(ok("first"))
            let second = responder.respond(ok("second"))
            outcomes.value = [first, second]
        }
        try withServer(handler: handler) { _, client in
            let response = try client.send(method: "GET", target: "/")
            #expect(response.text == "first")
            #expect(outcomes.value == [true, false])
        }
    }

    @Test func bodyWithinTheLimitArrivesWhole() throws {
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            responder.respond(
                HTTPResponse(
                    status: 200, body: Data("\(request.bodyTooLarge) \(request.bodyLength) ".utf8) + request.body))
        }
        try withServer(maxBodyBytes: 300_000, handler: handler) { _, client in
            let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            let response = try client.send(method: "POST", target: "/echo", body: payload)
            #expect(response.body.prefix(13) == Data("false 300000 ".utf8))
            #expect(response.body.dropFirst(13) == payload)
        }
    }

    @Test func bodyPastTheLimitArrivesFlaggedAndCounted() throws {
        let seen = Box<(tooLarge: Bool, length: Int, kept: Int)?>(nil)
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            seen.value = (request.bodyTooLarge, request.bodyLength, request.body.count)
            responder.respond(.text(413, "too large"))
        }
        try withServer(maxBodyBytes: 1_000, handler: handler) { _, client in
            let response = try client.send(method: "POST", target: "/upload", body: Data(count: 200_000))
            #expect(response.status == 413)
            let observed = try #require(seen.value)
            #expect(observed.tooLarge)
            #expect(observed.length == 200_000)
            #expect(observed.kept == 0)
        }
    }

    @Test func queryKeepsRepeatedKeysInOrderAndDecodesValues() throws {
        let seen = Box<[String]>([])
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            seen.value = request.query.map { "\($0.name)=\($0.value)" } + request.queryValues("a")
            responder.respond(ok(request.path))
        }
        try withServer(handler: handler) { _, client in
            let response = try client.send(method: "GET", target: "/list?a=1&a=2&b=x%20y&c=%24LATEST")
            #expect(response.text == "/list")
            #expect(seen.value == ["a=1", "a=2", "b=x y", "c=$LATEST", "1", "2"])
        }
    }

    @Test func pathIsPercentDecoded() throws {
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            responder.respond(ok(request.path))
        }
        try withServer(handler: handler) { _, client in
            let colon = try client.send(method: "GET", target: "/x%3Ay")
            let arn = try client.send(method: "GET", target: "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1")
            #expect(colon.text == "/x:y")
            #expect(arn.text == "/2017-03-31/tags/arn:aws:lambda:us-east-1")
        }
    }

    @Test func requestHeadersReachTheHandler() throws {
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            responder.respond(ok(request.headers["x-amz-target"] ?? "none"))
        }
        try withServer(handler: handler) { _, client in
            let response = try client.send(
                method: "POST", target: "/", headers: [("X-Amz-Target", "AWSEvents.PutEvents")])
            #expect(response.text == "AWSEvents.PutEvents")
        }
    }

    @Test func twoRequestsShareOneKeptAliveConnection() throws {
        let count = Box(0)
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { request, responder in
            let number = count.update { value -> Int in
                value += 1
                return value
            }
            responder.respond(ok("\(request.path) #\(number)"))
        }
        try withServer(handler: handler) { server, _ in
            let connection = try RawConnection(port: server.port)
            defer { connection.close() }
            let first = try connection.exchange("GET /one HTTP/1.1\r\nHost: test\r\n\r\n")
            let second = try connection.exchange("GET /two HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(first.hasPrefix("HTTP/1.1 200"))
            #expect(first.hasSuffix("/one #1"))
            #expect(second.hasPrefix("HTTP/1.1 200"))
            #expect(second.hasSuffix("/two #2"))
        }
    }

    @Test func stopAnswersHeldRequestsWith503AndReturns() throws {
        let arrived = DispatchSemaphore(value: 0)
        let handler: @Sendable (HTTPRequest, HTTPResponder) -> Void = { _, _ in arrived.signal() }
        try withServer(handler: handler) { server, client in
            let pending = Background { try client.send(method: "GET", target: "/forever") }
            #expect(arrived.wait(timeout: .now() + 10) == .success)

            let stopping = Background { server.stop() }
            #expect(throws: Never.self) { try stopping.value(within: 5) }
            let answer = Result { try pending.value(within: 5) }
            #expect(!(answer.failure is TimedOut), "the held client was left waiting")
            let status = try? answer.get().status
            #expect(status == 503)
            server.stop()
        }
    }

    @Test func stoppedServerRefusesConnections() throws {
        let port = try withServer(handler: { _, responder in responder.respond(ok("")) }) { server, _ in
            server.port
        }
        let client = try HTTPClient(baseURL: "http://127.0.0.1:\(port)")
        #expect(throws: HTTPClientError.self) { try client.send(method: "GET", target: "/") }
    }
}

/// One TCP connection spoken to by hand, to see what the server does with keep-alive.
final class RawConnection {
    private let socket: Int32

    init(port: UInt16) throws {
        socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            Foundation.close(socket)
            throw TimedOut()
        }
    }

    /// Sends `request` and reads one response framed by `Content-Length`.
    func exchange(_ request: String) throws -> String {
        let bytes = Array(request.utf8)
        guard Foundation.send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw TimedOut() }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let head = received.range(of: Data("\r\n\r\n".utf8)) {
                let headText = String(decoding: received[..<head.lowerBound], as: UTF8.self)
                let length =
                    headText.split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - head.upperBound >= length {
                    return String(decoding: received.prefix(head.upperBound + length), as: UTF8.self)
                }
            }
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { throw TimedOut() }
            received.append(contentsOf: buffer[0..<count])
        }
    }

    func close() {
        Foundation.close(socket)
    }
}
