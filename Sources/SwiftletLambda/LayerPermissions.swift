import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem

extension LambdaService {
    /// `POST /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy`: lets an account, or every account,
    /// use the version.
    ///
    /// Errors: `ValidationException`, `ResourceNotFoundException`, `ResourceConflictException` (the statement id is
    /// taken), `PreconditionFailedException` (stale `RevisionId`), `PolicyLengthExceededException`,
    /// `AccessDeniedException` (another account's layer).
    func addLayerVersionPermission(
        _ request: HTTPRequest, _ context: RequestContext, layer: String, version: String
    ) throws(AWSError) -> HTTPResponse {
        let reference = try resolveOwnLayer(layer, action: "lambda:AddLayerVersionPermission", in: context)
        let number = try Self.layerVersionNumber(version)
        let body = try JSONBody(request.body)
        let statementId = try body.string("StatementId")
        let principal = try body.string("Principal")
        let organizationId = try body.string("OrganizationId")
        let violations = LayerPermission.violations(
            statementId: statementId, action: try body.string("Action"), principal: principal,
            organizationId: organizationId)
        guard violations.isEmpty, let statementId, let principal else { throw .validation(violations) }
        let expectedRevision = request.queryValue("RevisionId")

        let permission = LayerPermission(
            statementId: statementId, principal: principal, organizationId: organizationId)
        let arn = ARN.layer(region: context.region, account: context.accountId, name: reference.name, version: number)
        let policy = try changePolicy(reference, version: number, in: context) { policy throws(AWSError) in
            if let expectedRevision, expectedRevision != policy.revisionId { throw Self.layerRevisionMismatch }
            if policy.statements.contains(where: { $0.statementId == statementId }) {
                throw .resourceConflict(
                    "The statement id (\(statementId)) provided already exists. Please provide a new statement id, "
                        + "or remove the existing statement.")
            }
            policy.statements.append(permission)
            if policy.document(resource: arn).serialized().count > LayerVersionPolicy.maximumBytes {
                throw AWSError(
                    type: "PolicyLengthExceededException", status: 400,
                    message: "The final policy size is bigger than the limit of \(LayerVersionPolicy.maximumBytes) "
                        + "bytes.")
            }
            policy.revisionId = Identifier.uuid()
        }
        logger.info(
            "layer version permission added",
            [("layer.name", reference.name), ("layer.version", version), ("statement.id", statementId)])
        return .json(
            201,
            .object([
                ("Statement", .string(Self.text(permission.statement(resource: arn)))),
                ("RevisionId", .string(policy.revisionId)),
            ]))
    }

    /// `DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}`.
    ///
    /// Errors: `ValidationException`, `ResourceNotFoundException` (no such version or statement),
    /// `PreconditionFailedException` (stale `RevisionId`), `AccessDeniedException` (another account's layer).
    func removeLayerVersionPermission(
        _ request: HTTPRequest, _ context: RequestContext, layer: String, version: String, statementId: String
    ) throws(AWSError) -> HTTPResponse {
        let reference = try resolveOwnLayer(layer, action: "lambda:RemoveLayerVersionPermission", in: context)
        let number = try Self.layerVersionNumber(version)
        let violations = LayerPermission.statementIdViolations(statementId)
        guard violations.isEmpty else { throw .validation(violations) }
        let expectedRevision = request.queryValue("RevisionId")

        try changePolicy(reference, version: number, in: context) { policy throws(AWSError) in
            if let expectedRevision, expectedRevision != policy.revisionId { throw Self.layerRevisionMismatch }
            guard let index = policy.statements.firstIndex(where: { $0.statementId == statementId }) else {
                throw .resourceNotFound("Statement \(statementId) is not found in resource policy.")
            }
            policy.statements.remove(at: index)
            policy.revisionId = Identifier.uuid()
        }
        logger.info(
            "layer version permission removed",
            [("layer.name", reference.name), ("layer.version", version), ("statement.id", statementId)])
        return HTTPResponse(status: 204)
    }

    /// `GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy`: the policy document as text.
    ///
    /// Errors: `ResourceNotFoundException` (no such version, or no statements), `ValidationException`,
    /// `AccessDeniedException` (another account's layer).
    func getLayerVersionPolicy(
        _ context: RequestContext, layer: String, version: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try resolveOwnLayer(layer, action: "lambda:GetLayerVersionPolicy", in: context)
        let number = try Self.layerVersionNumber(version)
        let arn = ARN.layer(region: context.region, account: context.accountId, name: reference.name, version: number)
        let policy = try storage("read the layer version policy") {
            try store.layerVersionPolicy(
                accountId: context.accountId, region: context.region, name: reference.name, version: number)
        }
        guard let policy else { throw .resourceNotFound("Layer version \(arn) does not exist.") }
        guard !policy.statements.isEmpty else {
            throw .resourceNotFound("No policy is associated with the given resource.")
        }
        return .json(
            200,
            .object([
                ("Policy", .string(Self.text(policy.document(resource: arn)))),
                ("RevisionId", .string(policy.revisionId)),
            ]))
    }

    /// 412 for a `RevisionId` that is not the policy's.
    static let layerRevisionMismatch = AWSError(
        type: "PreconditionFailedException", status: 412,
        message: "The Revision Id provided does not match the latest Revision Id. "
            + "Call the GetLayerVersionPolicy API to retrieve the latest Revision Id")

    /// Read-modify-write of a version's policy in one store transaction.
    @discardableResult
    private func changePolicy(
        _ reference: LayerReference, version: Int, in context: RequestContext,
        _ change: (inout LayerVersionPolicy) throws(AWSError) -> Void
    ) throws(AWSError) -> LayerVersionPolicy {
        do {
            return try store.updateLayerVersionPolicy(
                accountId: context.accountId, region: context.region, name: reference.name, version: version
            ) { policy in try change(&policy) }
        } catch let error as AWSError {
            throw error
        } catch StoreError.notFound {
            throw .resourceNotFound(
                "Layer version "
                    + ARN.layer(
                        region: context.region, account: context.accountId, name: reference.name, version: version)
                    + " does not exist.")
        } catch {
            logger.error("storage failed", [("store.operation", "update layer policy"), ("error.message", "\(error)")])
            throw .service("The node could not change the layer version policy; see the node's log.")
        }
    }

    /// A JSON document as the text AWS embeds in string members (`Statement`, `Policy`).
    static func text(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }
}
