import Foundation
import Testing

@testable import SwiftletHTTP

@Suite("HTTPHeaders and HTTPRequest")
struct HTTPMessageTests {
    @Test func headerLookupIgnoresCase() {
        let headers = HTTPHeaders([("Content-Type", "application/json")])
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["Content-Length"] == nil)
    }

    @Test func addKeepsRepeatsAndLookupReturnsTheFirst() {
        var headers = HTTPHeaders()
        headers.add("Set-Cookie", "a=1")
        headers.add("set-cookie", "b=2")
        #expect(headers["Set-Cookie"] == "a=1")
        #expect(headers.map(\.value) == ["a=1", "b=2"])
    }

    @Test func setReplacesEveryFieldOfThatName() {
        var headers = HTTPHeaders([("X-A", "1"), ("x-a", "2"), ("X-B", "3")])
        headers.set("X-A", "9")
        #expect(headers.map { "\($0.name)=\($0.value)" } == ["X-B=3", "X-A=9"])
    }

    @Test func requestBodyLengthDefaultsToTheBodySize() {
        let request = HTTPRequest(method: "POST", path: "/", body: Data(count: 12))
        #expect(request.bodyLength == 12)
        #expect(!request.bodyTooLarge)
    }

    @Test func queryValueIsTheFirstAndQueryValuesAreAllInOrder() {
        let request = HTTPRequest(
            method: "GET", path: "/", query: [(name: "k", value: "1"), (name: "x", value: ""), (name: "k", value: "2")])
        #expect(request.queryValue("k") == "1")
        #expect(request.queryValues("k") == ["1", "2"])
        #expect(request.queryValue("x") == "")
        #expect(request.queryValue("missing") == nil)
        #expect(request.queryValues("missing").isEmpty)
    }

    @Test func textResponseIsUTF8PlainText() {
        let response = HTTPResponse.text(503, "stopping")
        #expect(response.status == 503)
        #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(response.body == Data("stopping".utf8))
    }
}

@Suite("HTTPClient")
struct HTTPClientTests {
    @Test func baseURLGivesHostPortAndAuthority() throws {
        let client = try HTTPClient(baseURL: "http://127.0.0.1:9000")
        #expect(client.host == "127.0.0.1")
        #expect(client.port == 9000)
        #expect(client.authority == "127.0.0.1:9000")
    }

    @Test func portDefaultsTo80AndIsLeftOutOfTheAuthority() throws {
        let client = try HTTPClient(baseURL: "http://localhost")
        #expect(client.port == 80)
        #expect(client.authority == "localhost")
    }

    @Test(arguments: ["https://127.0.0.1:9000", "127.0.0.1:9000", "http://", "ftp://host", ""])
    func unsupportedBaseURLIsRefused(url: String) {
        #expect(throws: HTTPClientError.self) { try HTTPClient(baseURL: url) }
    }

    @Test func responseFramedByContentLengthIgnoresExtraBytes() throws {
        let raw = Data("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Id: 7\r\n\r\nhello-and-more".utf8)
        let response = try HTTPClient.parse(raw)
        #expect(response.status == 201)
        #expect(response.headers["x-id"] == "7")
        #expect(response.body == Data("hello".utf8))
    }

    @Test func chunkedResponseIsReassembled() throws {
        let raw = Data(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n".utf8)
        #expect(try HTTPClient.parse(raw).body == Data("hello world".utf8))
    }

    @Test func responseClosedBeforeItsHeadEndsIsAnError() {
        #expect(throws: HTTPClientError.self) { try HTTPClient.parse(Data("HTTP/1.1 200 OK\r\nContent-".utf8)) }
    }

    @Test func malformedStatusLineIsAnError() {
        #expect(throws: HTTPClientError.self) { try HTTPClient.parse(Data("garbage\r\n\r\n".utf8)) }
    }
}
