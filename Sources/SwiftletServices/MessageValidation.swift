import Foundation
import SwiftletModel
import SwiftletStore

/// The checks SQS makes of a message before accepting it, with AWS's errors.
enum MessageValidation {
    /// Checks `message` for a queue with `settings`.
    /// - Throws: `InvalidMessageContents`, `InvalidParameterValue` or `MissingParameter`.
    static func check(_ message: OutgoingMessage, settings: QueueSettings) throws(AWSError) {
        guard !message.body.isEmpty else { throw .sqsMissingParameter("MessageBody") }
        guard hasOnlyAllowedCharacters(message.body) else { throw .invalidMessageContents }
        try checkAttributes(message.attributes)
        let size = self.size(message)
        if size > settings.maximumMessageSize {
            throw .sqsInvalidParameter(
                "One or more parameters are invalid. Reason: Message must be shorter than "
                    + "\(settings.maximumMessageSize) bytes.")
        }
        if let delay = message.delaySeconds, !(0...SQSWire.maxDelaySeconds).contains(delay) {
            throw .sqsInvalidValue(
                "\(delay)", parameter: "DelaySeconds", "DelaySeconds must be >= 0 and <= \(SQSWire.maxDelaySeconds)")
        }
        if settings.fifo {
            try checkFIFO(message, settings: settings)
        } else if let deduplicationId = message.deduplicationId {
            throw .sqsInvalidValue(
                deduplicationId, parameter: "MessageDeduplicationId",
                "The request includes a parameter that is not valid for this queue type.")
        }
    }

    private static func checkFIFO(_ message: OutgoingMessage, settings: QueueSettings) throws(AWSError) {
        guard let groupId = message.groupId else { throw .sqsMissingParameter("MessageGroupId") }
        try checkFIFOIdentifier(groupId, parameter: "MessageGroupId")
        if let delay = message.delaySeconds, delay != 0 {
            throw .sqsInvalidValue(
                "\(delay)", parameter: "DelaySeconds",
                "The request include parameter that is not valid for this queue type.")
        }
        if let deduplicationId = message.deduplicationId {
            try checkFIFOIdentifier(deduplicationId, parameter: "MessageDeduplicationId")
        } else if !settings.contentBasedDeduplication {
            throw .sqsInvalidParameter(
                "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided "
                    + "explicitly")
        }
    }

    /// A group or deduplication id: 1 to 128 characters of letters, digits and ASCII punctuation.
    private static func checkFIFOIdentifier(_ value: String, parameter: String) throws(AWSError) {
        let allowed = value.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value <= 0x7e }
        guard allowed, (1...128).contains(value.count) else {
            throw .sqsInvalidValue(
                value, parameter: parameter,
                "\(parameter) can only include alphanumeric and punctuation characters. 1 to 128 in length.")
        }
    }

    /// True when every character is one SQS accepts: tab, newline, carriage return, and U+0020 and above except
    /// surrogates, U+FFFE and U+FFFF.
    static func hasOnlyAllowedCharacters(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            let value = scalar.value
            return value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
                || (0xE000...0xFFFD).contains(value) || value >= 0x10000
        }
    }

    /// The size SQS counts against `MaximumMessageSize`: the body's bytes plus each attribute's name, data type and
    /// value.
    static func size(_ message: OutgoingMessage) -> Int {
        var size = message.body.utf8.count
        for (name, value) in message.attributes {
            size += name.utf8.count + value.dataType.utf8.count
            size += value.stringValue?.utf8.count ?? value.binaryValue?.count ?? 0
        }
        return size
    }

    /// Checks message attributes: at most ten, each well named and typed, with a value of its type.
    static func checkAttributes(_ attributes: [String: MessageAttributeValue]) throws(AWSError) {
        if attributes.count > SQSWire.maxMessageAttributes {
            throw .sqsInvalidParameter(
                "Number of message attributes [\(attributes.count)] exceeds the allowed maximum "
                    + "[\(SQSWire.maxMessageAttributes)].")
        }
        for name in attributes.keys.sorted() {
            let value = attributes[name]!
            try checkAttributeName(name)
            let type = value.dataType
            let base = type.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            guard ["String", "Number", "Binary"].contains(base), type.utf8.count <= 256 else {
                throw .sqsInvalidParameter(
                    "The type of message (user) attribute '\(name)' is invalid. You must use "
                        + "only the following supported type prefixes: Binary, Number, String.")
            }
            if base == "Binary" {
                guard let binary = value.binaryValue, !binary.isEmpty else {
                    throw .sqsInvalidParameter(
                        "The message attribute '\(name)' must contain non-empty message attribute value for message "
                            + "attribute type '\(type)'.")
                }
            } else {
                guard let text = value.stringValue, !text.isEmpty else {
                    throw .sqsInvalidParameter(
                        "The message attribute '\(name)' must contain non-empty message attribute value for message "
                            + "attribute type '\(type)'.")
                }
                if base == "Number" && Double(text) == nil {
                    throw .sqsInvalidParameter(
                        "Can't cast the value of message (user) attribute '\(name)' to a number.")
                }
                if !hasOnlyAllowedCharacters(text) {
                    throw .sqsInvalidParameter(
                        "Message (user) attribute '\(name)' value contains invalid characters.")
                }
            }
        }
    }

    /// An attribute name: up to 256 letters, digits, `-`, `_` and `.`, without a leading, trailing or doubled
    /// period, and not starting with `AWS.` or `Amazon.` (either case).
    private static func checkAttributeName(_ name: String) throws(AWSError) {
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" || scalar == ".")
        }
        guard !name.isEmpty, name.utf8.count <= SQSWire.maxAttributeNameLength, allowed else {
            throw .sqsInvalidParameter(
                "Message (user) attribute name '\(name)' can only contain alphanumeric characters, hyphens, "
                    + "underscores and periods, and be at most 256 characters long.")
        }
        let lowered = name.lowercased()
        if lowered.hasPrefix("aws.") || lowered.hasPrefix("amazon.") {
            throw .sqsInvalidParameter(
                "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. "
                    + "These strings are reserved for internal use.")
        }
        if name.hasPrefix(".") || name.hasSuffix(".") || name.contains("..") {
            throw .sqsInvalidParameter(
                "Message (user) attribute name '\(name)' can't start or end with a period or contain two periods in "
                    + "a row.")
        }
    }
}
