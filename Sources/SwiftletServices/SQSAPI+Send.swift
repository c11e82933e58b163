import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// SendMessage and SendMessageBatch.
extension SQSAPI {
    /// `SendMessage`: `{"MessageId", "MD5OfMessageBody", "MD5OfMessageAttributes", "MD5OfMessageSystemAttributes",
    /// "SequenceNumber"}` once the message is stored. Errors: `QueueDoesNotExist`, `MissingParameter`,
    /// `InvalidMessageContents`, `InvalidParameterValue`.
    func sendMessage(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        let message = try outgoing(call.body)
        service.send([message], to: queue, senderId: call.senderId) { results in
            switch results[0] {
            case .success(let sent): call.reply.ok(.object(Self.sentMembers(sent)))
            case .failure(let error): call.reply.fail(error)
            }
        }
    }

    /// `SendMessageBatch`: `{"Successful", "Failed"}`, each entry checked on its own. Errors of the whole batch:
    /// `EmptyBatchRequest`, `TooManyEntriesInBatchRequest`, `BatchEntryIdsNotDistinct`, `InvalidBatchEntryId`,
    /// `BatchRequestTooLong` (bodies and attributes over 256 KiB together).
    func sendMessageBatch(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        let entries = try SQSBatch.entries(call.body, entryShape: "SendMessageBatchRequestEntry")
        var parsed: [(id: String, message: Result<OutgoingMessage, AWSError>)] = []
        var total = 0
        for (id, entry) in entries {
            do throws(AWSError) {
                let message = try outgoing(entry)
                total += MessageValidation.size(message)
                parsed.append((id, .success(message)))
            } catch {
                parsed.append((id, .failure(error)))
            }
        }
        if total > SQSWire.maxMessageBytes { throw .batchRequestTooLong(total) }

        let valid = parsed.compactMap { try? $0.message.get() }
        let entriesInOrder = parsed
        service.send(valid, to: queue, senderId: call.senderId) { results in
            var successful: [JSONValue] = []
            var failed: [JSONValue] = []
            var next = results.makeIterator()
            for (id, message) in entriesInOrder {
                let result: Result<SentMessage, AWSError>
                switch message {
                case .failure(let error): result = .failure(error)
                case .success: result = next.next() ?? .failure(.sqsServiceUnavailable)
                }
                switch result {
                case .success(let sent): successful.append(.object([("Id", .string(id))] + Self.sentMembers(sent)))
                case .failure(let error): failed.append(SQSBatch.failure(id, error))
                }
            }
            call.reply.ok(SQSBatch.answer(successful: successful, failed: failed))
        }
    }

    /// The message a SendMessage body or batch entry describes.
    private func outgoing(_ body: SQSRequestBody) throws(AWSError) -> OutgoingMessage {
        OutgoingMessage(
            body: try body.required("MessageBody"), attributes: try body.messageAttributes("MessageAttributes"),
            systemAttributes: try body.messageAttributes("MessageSystemAttributes"),
            delaySeconds: try body.int("DelaySeconds"), groupId: try body.string("MessageGroupId"),
            deduplicationId: try body.string("MessageDeduplicationId"))
    }

    /// The members of a send's answer, absent digests left out.
    static func sentMembers(_ sent: SentMessage) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("MessageId", .string(sent.messageId)), ("MD5OfMessageBody", .string(sent.md5OfBody)),
        ]
        if let digest = sent.md5OfAttributes { members.append(("MD5OfMessageAttributes", .string(digest))) }
        if let digest = sent.md5OfSystemAttributes { members.append(("MD5OfMessageSystemAttributes", .string(digest))) }
        if let sequence = sent.sequenceNumber { members.append(("SequenceNumber", .string(sequence))) }
        return members
    }
}
