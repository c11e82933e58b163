import Foundation
import SwiftletHTTP
import SwiftletSystem
import Testing

/// The published example of AWS's Signature Version 4 documentation: IAM `ListUsers`, signed on 2015-08-30.
@Suite("SigV4")
struct SigV4Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let exampleHeaders = [
        ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
        ("host", "iam.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
    ]

    private func exampleCanonicalRequest() -> String {
        SigV4.canonicalRequest(
            method: "GET", encodedPath: "/", query: [("Version", "2010-05-08"), ("Action", "ListUsers")],
            headers: Self.exampleHeaders, payloadHash: Self.emptyPayloadHash)
    }

    @Test func signingKeyMatchesThePublishedDerivation() {
        let key = SigV4.signingKey(secret: Self.secret, day: "20150830", region: "us-east-1", service: "iam")
        #expect(key.hexString == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test func canonicalRequestMatchesThePublishedExample() {
        #expect(
            exampleCanonicalRequest()
                == """
                GET
                /
                Action=ListUsers&Version=2010-05-08
                content-type:application/x-www-form-urlencoded; charset=utf-8
                host:iam.amazonaws.com
                x-amz-date:20150830T123600Z

                content-type;host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            Digest.sha256(Array(exampleCanonicalRequest().utf8)).hexString
                == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
    }

    @Test func signatureMatchesThePublishedExample() {
        let stringToSign = [
            "AWS4-HMAC-SHA256", "20150830T123600Z", "20150830/us-east-1/iam/aws4_request",
            Digest.sha256(Array(exampleCanonicalRequest().utf8)).hexString,
        ].joined(separator: "\n")
        let key = SigV4.signingKey(secret: Self.secret, day: "20150830", region: "us-east-1", service: "iam")
        #expect(
            Digest.hmacSHA256(key: key, Array(stringToSign.utf8)).hexString
                == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    @Test func canonicalPathIsEncodedASecondTime() {
        let canonical = SigV4.canonicalRequest(
            method: "GET", encodedPath: "/2015-03-31/functions/my%3Afn", query: [], headers: [("host", "h")],
            payloadHash: Self.emptyPayloadHash)
        #expect(
            canonical.split(separator: "\n", omittingEmptySubsequences: false)[1] == "/2015-03-31/functions/my%253Afn")
    }

    @Test func canonicalQueryIsEncodedAndSortedByNameThenValue() {
        let canonical = SigV4.canonicalRequest(
            method: "GET", encodedPath: "/", query: [("b", "2"), ("a", "z"), ("a", "y"), ("c", "x y")],
            headers: [("host", "h")], payloadHash: Self.emptyPayloadHash)
        #expect(canonical.split(separator: "\n", omittingEmptySubsequences: false)[2] == "a=y&a=z&b=2&c=x%20y")
    }

    @Test func emptyPathIsCanonicallyASlash() {
        let canonical = SigV4.canonicalRequest(
            method: "GET", encodedPath: "", query: [], headers: [("host", "h")], payloadHash: Self.emptyPayloadHash)
        #expect(canonical.split(separator: "\n", omittingEmptySubsequences: false)[1] == "/")
    }

    @Test func encodeKeepsOnlyUnreservedCharacters() {
        #expect(SigV4.encode("AZaz09-_.~") == "AZaz09-_.~")
        #expect(SigV4.encode("a b/c:$+=") == "a%20b%2Fc%3A%24%2B%3D")
        #expect(SigV4.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(SigV4.encode("é") == "%C3%A9")
    }

    @Test func targetEncodesEachPathSegmentAndTheQuery() {
        #expect(
            SigV4.target(path: "/2015-03-31/functions/my:fn", query: [("Qualifier", "$LATEST")])
                == "/2015-03-31/functions/my%3Afn?Qualifier=%24LATEST")
        #expect(SigV4.target(path: "/health", query: []) == "/health")
    }

    @Test func signAddsAuthorizationDateAndPayloadHashConsistentWithItsParts() throws {
        let credentials = SigV4.Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret)
        let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
        let body = Data("{\"FunctionName\":\"f\"}".utf8)
        let added = SigV4.sign(
            method: "POST", encodedPath: "/2015-03-31/functions", query: [],
            headers: [("Content-Type", "application/json")], body: body, host: "127.0.0.1:9000",
            region: "us-east-1", service: "lambda", credentials: credentials, date: date)
        let fields = Dictionary(added, uniquingKeysWith: { first, _ in first })
        let payloadHash = Digest.sha256(body).hexString
        #expect(fields["X-Amz-Date"] == "20150830T123600Z")
        #expect(fields["X-Amz-Content-Sha256"] == payloadHash)
        #expect(fields["X-Amz-Security-Token"] == nil)

        let canonical = SigV4.canonicalRequest(
            method: "POST", encodedPath: "/2015-03-31/functions", query: [],
            headers: [
                ("content-type", "application/json"), ("host", "127.0.0.1:9000"),
                ("x-amz-content-sha256", payloadHash), ("x-amz-date", "20150830T123600Z"),
            ], payloadHash: payloadHash)
        let stringToSign = [
            "AWS4-HMAC-SHA256", "20150830T123600Z", "20150830/us-east-1/lambda/aws4_request",
            Digest.sha256(Array(canonical.utf8)).hexString,
        ].joined(separator: "\n")
        let key = SigV4.signingKey(secret: Self.secret, day: "20150830", region: "us-east-1", service: "lambda")
        let signature = Digest.hmacSHA256(key: key, Array(stringToSign.utf8)).hexString
        #expect(
            fields["Authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=\(signature)")
    }

    @Test func sessionTokenIsSentAndSigned() {
        let credentials = SigV4.Credentials(accessKeyId: "ASIA", secretAccessKey: "s", sessionToken: "token")
        let added = SigV4.sign(
            method: "GET", encodedPath: "/", query: [], headers: [], body: Data(), host: "h", region: "us-east-1",
            service: "lambda", credentials: credentials)
        let fields = Dictionary(added, uniquingKeysWith: { first, _ in first })
        #expect(fields["X-Amz-Security-Token"] == "token")
        #expect(
            fields["Authorization"]?.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
                == true)
    }

    @Test func signatureChangesWithTheBody() {
        let credentials = SigV4.Credentials(accessKeyId: "AKID", secretAccessKey: "secret")
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        func authorization(_ body: String) -> String? {
            SigV4.sign(
                method: "POST", encodedPath: "/", query: [], headers: [], body: Data(body.utf8), host: "h",
                region: "us-east-1", service: "lambda", credentials: credentials, date: date
            ).first { $0.0 == "Authorization" }?.1
        }
        #expect(authorization("a") != authorization("b"))
        #expect(authorization("a") == authorization("a"))
    }
}
