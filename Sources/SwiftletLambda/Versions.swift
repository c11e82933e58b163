import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem

extension LambdaService {
    /// `POST /2015-03-31/functions/{name}/versions`: snapshots `$LATEST` as an immutable numbered version.
    ///
    /// Errors: `ResourceNotFoundException`, `PreconditionFailedException` (stale `RevisionId`),
    /// `InvalidParameterValueException` (`CodeSha256` differs from `$LATEST`'s).
    func publishVersion(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try resolveUnqualified(name, in: context)
        let body = try JSONBody(request.body)
        let published = try publish(
            reference, in: context, expectedCode: body.string("CodeSha256"),
            expectedRevision: body.string("RevisionId"),
            description: body.string("Description"))
        return .json(201, published.wireConfiguration())
    }

    /// Publishes `$LATEST` unless the newest version already has the same code and settings, which is returned.
    func publish(
        _ reference: FunctionReference, in context: RequestContext, expectedCode: String? = nil,
        expectedRevision: String? = nil, description: String? = nil
    ) throws(AWSError) -> FunctionRecord {
        if let description, description.count > limits.descriptionLength {
            throw .validation([
                .value(
                    description, at: "description",
                    "Member must have length less than or equal to \(limits.descriptionLength)")
            ])
        }
        var tags: [String: String] = [:]
        let published: FunctionConfiguration
        do {
            published = try store.publishVersion(
                accountId: context.accountId, region: context.region, name: reference.name
            ) { record, newest in
                let latest = record.configuration
                tags = record.tags
                if let expectedRevision, expectedRevision != latest.revisionId { throw AWSError.revisionMismatch }
                if let expectedCode, expectedCode != latest.code.sha256Base64 {
                    throw AWSError.invalidParameterValue(
                        "CodeSHA256 (\(expectedCode)) is different from current CodeSHA256 in $LATEST "
                            + "(\(latest.code.sha256Base64)). Please try again.")
                }
                if let newest, latest.publishesSameAs(newest) { return nil }
                var snapshot = latest
                snapshot.description = description ?? latest.description
                snapshot.revisionId = Identifier.uuid()
                snapshot.lastModified = Date()
                return snapshot
            }
        } catch let error as AWSError {
            throw error
        } catch StoreError.notFound {
            throw functionNotFound(reference.name, in: context)
        } catch {
            logger.error("storage failed", [("store.operation", "publish"), ("error.message", "\(error)")])
            throw .service("The node could not publish the version; see the node's log.")
        }
        logger.info(
            "function version published", [("function.name", reference.name), ("function.version", published.version)])
        return FunctionRecord(
            accountId: context.accountId, region: context.region, configuration: published, tags: tags)
    }

    /// `GET /2015-03-31/functions/{name}/versions`: `$LATEST` and every published version, paged.
    func listVersionsByFunction(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try resolveUnqualified(name, in: context)
        let pageSize = try pageSize(request)
        let latest = try load(reference, in: context)
        // The marker is the last version number returned; 0 stands for `$LATEST`.
        var after = -1
        if let marker = request.queryValue("Marker") {
            guard let decoded = Self.decodeMarker(marker).flatMap(Int.init), decoded >= 0 else {
                throw .invalidParameterValue("Invalid Marker: pass the NextMarker of an earlier answer.")
            }
            after = decoded
        }
        var page: [FunctionConfiguration] = []
        if after < 0 { page.append(latest.configuration) }
        let published = try storage("list versions") {
            try store.listVersions(
                accountId: context.accountId, region: context.region, name: reference.name, after: max(after, 0),
                limit: pageSize + 1)
        }
        page += published
        let versions = page.prefix(pageSize).map {
            FunctionRecord(accountId: context.accountId, region: context.region, configuration: $0).wireConfiguration()
        }
        var nextMarker: String?
        if page.count > pageSize, let last = page.prefix(pageSize).last {
            nextMarker = Self.encodeMarker(last.version == "$LATEST" ? "0" : last.version)
        }
        return .json(200, .members([("Versions", .array(versions)), ("NextMarker", nextMarker.map(JSONValue.string))]))
    }
}
