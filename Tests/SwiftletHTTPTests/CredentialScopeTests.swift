import SwiftletHTTP
import Testing

@testable import SwiftletHTTP

@Suite("CredentialScope")
struct CredentialScopeTests {
    @Test func authorizationHeaderGivesKeyDateRegionAndService() {
        let request = HTTPRequest(
            method: "GET", path: "/",
            headers: HTTPHeaders([
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-central-1/lambda/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, Signature=5d672d79"
                )
            ]))
        #expect(
            CredentialScope.from(request)
                == CredentialScope(
                    accessKeyId: "AKIDEXAMPLE", date: "20150830", region: "eu-central-1", service: "lambda"))
    }

    @Test func credentialNeedNotComeFirstInTheHeader() {
        let request = HTTPRequest(
            method: "GET", path: "/",
            headers: HTTPHeaders([
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 SignedHeaders=host,\tCredential=K/20240101/us-west-2/s3/aws4_request"
                )
            ]))
        #expect(CredentialScope.from(request)?.region == "us-west-2")
        #expect(CredentialScope.from(request)?.service == "s3")
    }

    @Test func presignedQueryGivesTheScope() {
        let request = HTTPRequest(
            method: "GET", path: "/",
            query: [(name: "X-Amz-Credential", value: "K/20240101/ap-south-1/lambda/aws4_request")])
        #expect(CredentialScope.from(request)?.region == "ap-south-1")
    }

    @Test func unsignedRequestHasNoScope() {
        #expect(CredentialScope.from(HTTPRequest(method: "GET", path: "/")) == nil)
    }

    @Test func otherAuthorizationSchemesHaveNoScope() {
        let request = HTTPRequest(
            method: "GET", path: "/", headers: HTTPHeaders([("Authorization", "Basic dXNlcjpwYXNz")]))
        #expect(CredentialScope.from(request) == nil)
    }

    @Test(arguments: [
        "K/20240101/us-east-1/lambda", "K/20240101/us-east-1/lambda/aws5_request",
        "/20240101/us-east-1/lambda/aws4_request",
        "K/20240101//lambda/aws4_request", "K/20240101/us-east-1/lambda/aws4_request/extra", "",
    ])
    func malformedCredentialIsRefused(credential: String) {
        #expect(CredentialScope.parse(credential) == nil)
    }
}
