import Foundation
import Testing

@testable import SwiftletRuntime

@Suite("TemporaryCredentials")
struct TemporaryCredentialsTests {
    @Test func accessKeyIdIsASIAFollowedBySixteenBase32Characters() {
        let credentials = TemporaryCredentials.issue(role: "arn:aws:iam::123456789012:role/r")

        #expect(matches(credentials.accessKeyId, "ASIA[A-Z2-7]{16}"))
    }

    @Test func secretHasFortyCharactersAndTokenIsPresent() {
        let credentials = TemporaryCredentials.issue(role: "arn:aws:iam::123456789012:role/r")

        #expect(credentials.secretAccessKey.count == 40)
        #expect(matches(credentials.secretAccessKey, "[A-Za-z0-9+/]{40}"))
        #expect(!credentials.sessionToken.isEmpty)
    }

    @Test func everyIssueIsDistinct() {
        let first = TemporaryCredentials.issue(role: "arn:aws:iam::123456789012:role/r")
        let second = TemporaryCredentials.issue(role: "arn:aws:iam::123456789012:role/r")

        #expect(first.accessKeyId != second.accessKeyId)
        #expect(first.secretAccessKey != second.secretAccessKey)
        #expect(first.sessionToken != second.sessionToken)
    }
}
