import SwiftletModel
import SwiftletSystem

/// GetQueueAttributes and SetQueueAttributes.
extension SQSAPI {
    /// `GetQueueAttributes`: `{"Attributes"}` with the names asked for, or every attribute for `All`. Errors:
    /// `QueueDoesNotExist`, `InvalidAttributeName`.
    func getQueueAttributes(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        let names = try call.body.stringList("AttributeNames") ?? []
        let known = QueueAttributes.readOnly + QueueAttributes.settable + (queue.isFIFO ? QueueAttributes.fifoOnly : [])
        for name in names where name != "All" && !known.contains(name) {
            throw .invalidAttributeName(name)
        }
        let attributes = service.attributes(of: queue)
        let wanted = names.contains("All") ? Set(attributes.keys) : Set(names)
        let selected = attributes.filter { wanted.contains($0.key) }
        call.reply.ok(.members([("Attributes", selected.isEmpty ? nil : .stringMap(selected))]))
    }

    /// `SetQueueAttributes`: `{}`. Errors: `QueueDoesNotExist`, `MissingParameter`, `InvalidAttributeName`,
    /// `InvalidAttributeValue`, `InvalidParameterValue`.
    func setQueueAttributes(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        guard let attributes = try call.body.stringMap("Attributes") else {
            throw .sqsMissingParameter("Attributes")
        }
        service.setAttributes(attributes, of: queue) { call.reply.done($0) }
    }
}
