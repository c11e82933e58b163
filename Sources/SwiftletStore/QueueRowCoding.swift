import Foundation
import SwiftletSystem

/// How queue and message fields that are maps are kept in one column: compact JSON, binary values in base64.
enum QueueRowCoding {
    /// A string map as a JSON object.
    static func encode(_ map: [String: String]) -> Data {
        Data(JSONValue.stringMap(map).serialized())
    }

    /// The string map of a JSON object column; anything else reads as empty.
    static func stringMap(_ data: Data) -> [String: String] {
        guard case .object(let members)? = try? JSONValue.parse(data) else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in members {
            if let text = value.stringValue { map[key] = text }
        }
        return map
    }

    /// Message attributes as `{"name": {"t": type, "s": string} | {"t": type, "b": base64}}`; NULL when empty.
    static func encode(_ attributes: [String: MessageAttributeValue]) -> SQLiteValue {
        guard !attributes.isEmpty else { return .null }
        let members = attributes.keys.sorted().map { name -> (String, JSONValue) in
            let value = attributes[name]!
            return (
                name,
                .members([
                    ("t", .string(value.dataType)), ("s", value.stringValue.map { .string($0) }),
                    ("b", value.binaryValue.map { .string($0.base64EncodedString()) }),
                ])
            )
        }
        return .blob(Data(JSONValue.object(members).serialized()))
    }

    /// The message attributes of a column written by ``encode(_:)-(Dictionary<String,MessageAttributeValue>)``.
    static func attributes(_ data: Data) -> [String: MessageAttributeValue] {
        guard !data.isEmpty, case .object(let members)? = try? JSONValue.parse(data) else { return [:] }
        var attributes: [String: MessageAttributeValue] = [:]
        for (name, value) in members {
            attributes[name] = MessageAttributeValue(
                dataType: value["t"]?.stringValue ?? "String", stringValue: value["s"]?.stringValue,
                binaryValue: value["b"]?.stringValue.flatMap { Data(base64Encoded: $0) })
        }
        return attributes
    }

    /// The values of an `INSERT INTO messages` in column order.
    static func row(_ message: MessageRecord) -> [SQLiteValue] {
        [
            .integer(message.id), .integer(message.queueId), .text(message.messageId), .text(message.body),
            encode(message.attributes), encode(message.systemAttributes), .integer(message.sentAt),
            .text(message.senderId), optional(message.groupId), optional(message.deduplicationId),
            optional(message.sequenceNumber), .integer(message.visibleAt), .integer(Int64(message.receiveCount)),
            message.firstReceivedAt.map { .integer($0) } ?? .null,
        ]
    }

    private static func optional(_ text: String?) -> SQLiteValue {
        text.map { .text($0) } ?? .null
    }
}
