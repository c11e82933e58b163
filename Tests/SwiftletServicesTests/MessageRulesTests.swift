import Foundation
import SwiftletModel
import SwiftletStore
import Testing

@testable import SwiftletServices

@Suite("Message digests and validation")
struct MessageRulesTests {
    static let standard = QueueSettings(attributes: QueueAttributes.defaults(fifo: false))
    static let fifo = QueueSettings(attributes: QueueAttributes.defaults(fifo: true))

    @Test func digestsMatchTheValuesAWSPublishes() {
        // The SQS event example of the Lambda developer guide: body "Sample content." with one string attribute.
        #expect(MessageDigests.body("Sample content.") == "b58e1d0a86521415d25b85b89f6ad6cd")
        let attributes = ["sample-attribute": MessageAttributeValue(dataType: "String", stringValue: "sample-value")]
        #expect(MessageDigests.attributes(attributes) == "7c815262be77a62f56671125069ca888")
        #expect(MessageDigests.attributes([:]) == nil)
    }

    @Test func binaryAttributesAreDigestedWithTheirTransportByte() {
        let binary = ["b": MessageAttributeValue(dataType: "Binary", binaryValue: Data([1, 2]))]
        let asString = ["b": MessageAttributeValue(dataType: "Binary", stringValue: "\u{1}\u{2}")]
        #expect(MessageDigests.attributes(binary) != nil)
        #expect(MessageDigests.attributes(binary) != MessageDigests.attributes(asString))
    }

    @Test func bodiesWithForbiddenCharactersAreRefused() {
        #expect(MessageValidation.hasOnlyAllowedCharacters("tab\tnewline\n emoji 🎉"))
        #expect(!MessageValidation.hasOnlyAllowedCharacters("nul\u{0}"))
        #expect(!MessageValidation.hasOnlyAllowedCharacters("\u{FFFF}"))
        #expect(throws: AWSError.invalidMessageContents) {
            try MessageValidation.check(OutgoingMessage(body: "bell\u{7}"), settings: Self.standard)
        }
    }

    @Test func aMessageOverTheQueueMaximumIsRefusedCountingItsAttributes() throws {
        var settings = Self.standard
        settings.maximumMessageSize = 1024
        try MessageValidation.check(OutgoingMessage(body: String(repeating: "a", count: 1024)), settings: settings)
        let attributes = ["k": MessageAttributeValue(dataType: "String", stringValue: "v")]
        let error = #expect(throws: AWSError.self) {
            try MessageValidation.check(
                OutgoingMessage(body: String(repeating: "a", count: 1020), attributes: attributes), settings: settings)
        }
        #expect(error?.queryErrorCode == "InvalidParameterValue")
        #expect(error?.message.contains("Message must be shorter than 1024 bytes") == true)
    }

    @Test func attributeRulesRefuseReservedNamesWrongTypesAndTooMany() {
        func refuses(_ attributes: [String: MessageAttributeValue]) -> Bool {
            (try? MessageValidation.checkAttributes(attributes)) == nil
        }
        let value = MessageAttributeValue(dataType: "String", stringValue: "v")
        #expect(!refuses(["ok-name_1.x": value, "n": MessageAttributeValue(dataType: "Number.int", stringValue: "5")]))
        #expect(refuses(["AWS.thing": value]))
        #expect(refuses(["a..b": value]))
        #expect(refuses(["n": MessageAttributeValue(dataType: "Number", stringValue: "five")]))
        #expect(refuses(["t": MessageAttributeValue(dataType: "Text", stringValue: "v")]))
        #expect(refuses(["e": MessageAttributeValue(dataType: "String", stringValue: "")]))
        #expect(refuses(Dictionary(uniqueKeysWithValues: (0..<11).map { ("a\($0)", value) })))
    }

    @Test func fifoSendsNeedAGroupAndADeduplicationIdAndTakeNoDelay() {
        #expect(throws: AWSError.sqsMissingParameter("MessageGroupId")) {
            try MessageValidation.check(OutgoingMessage(body: "x", deduplicationId: "d"), settings: Self.fifo)
        }
        let noDedup = #expect(throws: AWSError.self) {
            try MessageValidation.check(OutgoingMessage(body: "x", groupId: "g"), settings: Self.fifo)
        }
        #expect(noDedup?.message.contains("ContentBasedDeduplication") == true)
        #expect(throws: AWSError.self) {
            try MessageValidation.check(
                OutgoingMessage(body: "x", delaySeconds: 5, groupId: "g", deduplicationId: "d"), settings: Self.fifo)
        }
        #expect(throws: AWSError.self) {
            try MessageValidation.check(OutgoingMessage(body: "x", deduplicationId: "d"), settings: Self.standard)
        }
    }

    @Test func queueAttributesAreCheckedAgainstTheirRanges() throws {
        let none: (String) -> Bool? = { _ in nil }
        #expect(
            try QueueAttributes.validate(
                ["VisibilityTimeout": "007"], fifo: false, creating: true, deadLetterQueue: none)
                == ["VisibilityTimeout": "7"])
        #expect(throws: AWSError.invalidAttributeValue("VisibilityTimeout")) {
            try QueueAttributes.validate(
                ["VisibilityTimeout": "43201"], fifo: false, creating: true, deadLetterQueue: none)
        }
        #expect(throws: AWSError.invalidAttributeValue("MessageRetentionPeriod")) {
            try QueueAttributes.validate(
                ["MessageRetentionPeriod": "59"], fifo: false, creating: true, deadLetterQueue: none)
        }
        #expect(throws: AWSError.invalidAttributeName("Colour")) {
            try QueueAttributes.validate(["Colour": "red"], fifo: false, creating: true, deadLetterQueue: none)
        }
        #expect(throws: AWSError.invalidAttributeName("ContentBasedDeduplication")) {
            try QueueAttributes.validate(
                ["ContentBasedDeduplication": "true"], fifo: false, creating: true, deadLetterQueue: none)
        }
    }

    @Test func redrivePoliciesNeedAnExistingTargetOfTheSameKind() throws {
        let arn = "arn:aws:sqs:us-east-1:000000000000:dlq"
        let policy = #"{"deadLetterTargetArn":"\#(arn)","maxReceiveCount":"3"}"#
        let parsed = try RedrivePolicy.parse(policy, sourceIsFIFO: false) { $0 == arn ? false : nil }
        #expect(parsed == RedrivePolicy(deadLetterTargetArn: arn, maxReceiveCount: 3))
        #expect(RedrivePolicy(stored: parsed.serialized) == parsed)
        #expect(throws: AWSError.self) { try RedrivePolicy.parse(policy, sourceIsFIFO: false) { _ in nil } }
        #expect(throws: AWSError.self) { try RedrivePolicy.parse(policy, sourceIsFIFO: true) { _ in false } }
        let tooMany = #"{"deadLetterTargetArn":"\#(arn)","maxReceiveCount":1001}"#
        #expect(throws: AWSError.self) { try RedrivePolicy.parse(tooMany, sourceIsFIFO: false) { _ in false } }
    }

    @Test func queueNamesFollowAWSRules() throws {
        try QueueService.checkName("a-b_C9", fifo: false)
        try QueueService.checkName("orders.fifo", fifo: true)
        try QueueService.checkName(String(repeating: "a", count: 80), fifo: false)
        #expect(throws: AWSError.self) { try QueueService.checkName(String(repeating: "a", count: 81), fifo: false) }
        #expect(throws: AWSError.self) { try QueueService.checkName("has space", fifo: false) }
        #expect(throws: AWSError.self) { try QueueService.checkName("orders.fifo", fifo: false) }
        #expect(throws: AWSError.self) { try QueueService.checkName("orders", fifo: true) }
        #expect(throws: AWSError.self) { try QueueService.checkName("", fifo: false) }
    }
}
