import SwiftletModel
import SwiftletSystem

/// DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility and ChangeMessageVisibilityBatch.
extension SQSAPI {
    /// `DeleteMessage`: `{}` once stored. Errors: `QueueDoesNotExist`, `MissingParameter`,
    /// `ReceiptHandleIsInvalid`.
    func deleteMessage(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        let handle = try call.body.required("ReceiptHandle")
        service.delete([handle], from: queue) { call.reply.done($0[0]) }
    }

    /// `DeleteMessageBatch`: `{"Successful", "Failed"}`.
    func deleteMessageBatch(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        let entries = try SQSBatch.entries(call.body, entryShape: "DeleteMessageBatchRequestEntry")
        var handles: [String] = []
        for (_, entry) in entries { handles.append(try entry.required("ReceiptHandle")) }
        service.delete(handles, from: queue) { results in
            call.reply.ok(Self.batchAnswer(entries.map(\.id), results))
        }
    }

    /// `ChangeMessageVisibility`: `{}` once stored. Errors: `QueueDoesNotExist`, `MissingParameter`,
    /// `ReceiptHandleIsInvalid`, `MessageNotInflight`, `InvalidParameterValue`.
    func changeMessageVisibility(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        let handle = try call.body.required("ReceiptHandle")
        guard let seconds = try call.body.int("VisibilityTimeout") else {
            throw .sqsMissingParameter("VisibilityTimeout")
        }
        service.changeVisibility([(handle, seconds)], of: queue) { call.reply.done($0[0]) }
    }

    /// `ChangeMessageVisibilityBatch`: `{"Successful", "Failed"}`.
    func changeMessageVisibilityBatch(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        let entries = try SQSBatch.entries(call.body, entryShape: "ChangeMessageVisibilityBatchRequestEntry")
        var changes: [(receiptHandle: String, seconds: Int)] = []
        for (_, entry) in entries {
            changes.append((try entry.required("ReceiptHandle"), try entry.int("VisibilityTimeout") ?? 0))
        }
        service.changeVisibility(changes, of: queue) { results in
            call.reply.ok(Self.batchAnswer(entries.map(\.id), results))
        }
    }

    private static func batchAnswer(_ ids: [String], _ results: [Result<Void, AWSError>]) -> JSONValue {
        var successful: [JSONValue] = []
        var failed: [JSONValue] = []
        for (id, result) in zip(ids, results) {
            switch result {
            case .success: successful.append(.object([("Id", .string(id))]))
            case .failure(let error): failed.append(SQSBatch.failure(id, error))
            }
        }
        return SQSBatch.answer(successful: successful, failed: failed)
    }
}
