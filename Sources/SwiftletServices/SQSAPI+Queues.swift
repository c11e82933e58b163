import Foundation
import SwiftletModel
import SwiftletSystem

/// CreateQueue, GetQueueUrl, ListQueues, DeleteQueue and PurgeQueue.
extension SQSAPI {
    /// `CreateQueue`: `{"QueueUrl"}`. Errors: `MissingParameter`, `InvalidParameterValue` (name),
    /// `InvalidAttributeName`, `InvalidAttributeValue`, `QueueAlreadyExists`.
    func createQueue(_ call: SQSCall) throws(AWSError) {
        let name = try call.body.required("QueueName")
        let attributes = try call.body.stringMap("Attributes") ?? [:]
        let tags = try call.body.stringMap("tags") ?? [:]
        service.createQueue(
            name: name, attributes: attributes, tags: tags, accountId: call.accountId, region: call.region
        ) { result in
            switch result {
            case .success(let queue):
                call.reply.ok(.object([("QueueUrl", .string(queue.url(endpoint: call.endpoint)))]))
            case .failure(let error): call.reply.fail(error)
            }
        }
    }

    /// `GetQueueUrl`: `{"QueueUrl"}`. Errors: `MissingParameter`, `QueueDoesNotExist`.
    func getQueueUrl(_ call: SQSCall) throws(AWSError) {
        let name = try call.body.required("QueueName")
        let owner = try call.body.string("QueueOwnerAWSAccountId") ?? call.accountId
        let queue = try service.queue(named: name, accountId: owner, region: call.region)
        call.reply.ok(.object([("QueueUrl", .string(queue.url(endpoint: call.endpoint)))]))
    }

    /// `ListQueues`: `{"QueueUrls", "NextToken"}`, names in order, up to `MaxResults` (1 to 1,000) per page when
    /// given, else the first 1,000. Errors: `InvalidParameterValue` (MaxResults, NextToken).
    func listQueues(_ call: SQSCall) throws(AWSError) {
        let prefix = try call.body.string("QueueNamePrefix") ?? ""
        let maxResults = try call.body.int("MaxResults")
        if let maxResults, !(1...SQSWire.maxListResults).contains(maxResults) {
            throw .sqsInvalidValue(
                "\(maxResults)", parameter: "MaxResults", "MaxResults must be an integer between 1 and 1000.")
        }
        var after: String?
        if let token = try call.body.string("NextToken") {
            guard let data = Data(base64Encoded: token), let name = String(data: data, encoding: .utf8) else {
                throw .sqsInvalidParameter("Invalid NextToken value.")
            }
            after = name
        }

        var names = service.queueNames(accountId: call.accountId, region: call.region, prefix: prefix)
        if let after { names = names.filter { $0 > after } }
        let limit = maxResults ?? SQSWire.maxListResults
        let page = Array(names.prefix(limit))
        let more = maxResults != nil && names.count > page.count
        let urls = page.map { JSONValue.string("\(call.endpoint)/\(call.accountId)/\($0)") }
        call.reply.ok(
            .members([
                ("QueueUrls", urls.isEmpty ? nil : .array(urls)),
                ("NextToken", more ? .string(Data(page.last!.utf8).base64EncodedString()) : nil),
            ]))
    }

    /// `DeleteQueue`: `{}`. Errors: `QueueDoesNotExist`.
    func deleteQueue(_ call: SQSCall) throws(AWSError) {
        service.deleteQueue(try queue(call)) { call.reply.done($0) }
    }

    /// `PurgeQueue`: `{}`. Errors: `QueueDoesNotExist`, `PurgeQueueInProgress`.
    func purgeQueue(_ call: SQSCall) throws(AWSError) {
        service.purge(try queue(call)) { call.reply.done($0) }
    }
}

extension SQSReply {
    /// `{}` on success, else the error.
    func done(_ result: Result<Void, AWSError>) {
        switch result {
        case .success: ok(.object([]))
        case .failure(let error): fail(error)
        }
    }
}
