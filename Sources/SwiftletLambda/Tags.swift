import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem

extension LambdaService {
    /// `GET /2017-03-31/tags/{arn}`.
    func listTags(_ context: RequestContext, resource: String) throws(AWSError) -> HTTPResponse {
        let record = try taggedFunction(resource, in: context)
        return .json(200, .object([("Tags", .stringMap(record.tags))]))
    }

    /// `POST /2017-03-31/tags/{arn}`: adds or replaces tags.
    func tagResource(
        _ request: HTTPRequest, _ context: RequestContext, resource: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try taggableReference(resource, in: context)
        let body = try JSONBody(request.body)
        guard let tags = try body.stringMap("Tags") else { throw .validation([.missing("tags")]) }
        if tags.isEmpty {
            throw .invalidParameterValue("An error occurred and the request cannot be processed.")
        }
        let record = try modify(reference, in: context, expectedRevision: nil) { record throws(AWSError) in
            if let error = TagRules.validate(adding: tags, to: record.tags, limits: limits) { throw error }
            record.tags.merge(tags) { _, new in new }
        }
        // Environments keep the network they started with: a new choice takes effect with fresh ones.
        if tags[TagRules.networkKey] != nil {
            retireEnvironments(of: record.configuration.name, in: context)
            applyProvisioned(record.configuration.name, in: context)
        }
        return HTTPResponse(status: 204)
    }

    /// `DELETE /2017-03-31/tags/{arn}?tagKeys=...`: removes tags; absent keys are not an error.
    func untagResource(
        _ request: HTTPRequest, _ context: RequestContext, resource: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try taggableReference(resource, in: context)
        let keys = request.queryValues("tagKeys")
        if keys.isEmpty { throw .validation([.missing("tagKeys")]) }
        let record = try modify(reference, in: context, expectedRevision: nil) { record in
            for key in keys { record.tags.removeValue(forKey: key) }
        }
        if keys.contains(TagRules.networkKey) {
            retireEnvironments(of: record.configuration.name, in: context)
            applyProvisioned(record.configuration.name, in: context)
        }
        return HTTPResponse(status: 204)
    }

    private func taggedFunction(_ resource: String, in context: RequestContext) throws(AWSError) -> FunctionRecord {
        try load(taggableReference(resource, in: context), in: context)
    }

    /// Checks a tag resource ARN: a full, unqualified function ARN in the request's account and region.
    private func taggableReference(
        _ resource: String, in context: RequestContext
    ) throws(AWSError)
        -> FunctionReference
    {
        guard resource.hasPrefix("arn:"),
            case .success(let reference) = FunctionReference.parse(resource, maxLength: 256),
            reference.accountId != nil, reference.region != nil
        else {
            throw .validation([
                .value(
                    resource, at: "resource",
                    "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|"
                        + "(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
                        + "(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?)"
                )
            ])
        }
        if reference.qualifier != nil {
            throw .invalidParameterValue(
                "Tags on function aliases and versions are not supported. Please specify a function ARN.")
        }
        return try resolve(resource, in: context)
    }
}
