import Foundation
import SwiftletModel
import Testing

@testable import SwiftletLambda

@Suite("Asynchronous event envelope")
struct AsyncEnvelopeTests {
    @Test func anEnvelopeSurvivesItsEncoding() {
        let envelope = AsyncInvocations.Envelope(
            requestId: "r-1", accountId: "123456789012", region: "eu-west-1", functionName: "f", qualifier: "live",
            payload: Data(#"{"n":"\u00e9\n"}"#.utf8), acceptedAt: 1_764_000_000_123, failedAttempts: 2)

        #expect(AsyncInvocations.decode(AsyncInvocations.encode(envelope)) == envelope)
    }

    @Test func anUnqualifiedEnvelopeHasNoQualifier() {
        let envelope = AsyncInvocations.Envelope(
            requestId: "r", accountId: "a", region: "r", functionName: "f", qualifier: nil, payload: Data("{}".utf8),
            acceptedAt: 1, failedAttempts: 0)

        #expect(AsyncInvocations.decode(AsyncInvocations.encode(envelope))?.qualifier == nil)
    }

    @Test(arguments: [
        "", "not json", "[]", #"{"id":"x"}"#,
        #"{"id":"x","account":"a","region":"r","function":"f","payload":"%%","acceptedAt":1}"#,
    ])
    func anUnreadableBodyIsNoEnvelope(body: String) {
        #expect(AsyncInvocations.decode(body) == nil)
    }
}

@Suite("Event destinations")
struct EventDestinationTests {
    @Test(arguments: [
        "arn:aws:sqs:us-east-1:000000000000:done", "arn:aws:lambda:us-east-1:000000000000:function:next",
        "arn:aws:lambda:us-east-1:000000000000:function:next:live",
    ])
    func queuesAndFunctionsAreAccepted(arn: String) throws {
        #expect(try LambdaService.checkedDestination(arn) == arn)
    }

    @Test func anEmptyDestinationClearsIt() throws {
        #expect(try LambdaService.checkedDestination("") == nil)
        #expect(try LambdaService.checkedDestination(nil) == nil)
    }

    @Test(arguments: [
        "queue", "arn:aws:sns:us-east-1:000000000000:topic", "arn:aws:s3:::bucket",
        "arn:aws:lambda:us-east-1:000000000000:layer:x",
    ])
    func otherDestinationsAreRefused(arn: String) {
        #expect(throws: AWSError.self) { try LambdaService.checkedDestination(arn) }
    }
}
