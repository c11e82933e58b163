import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem

extension LambdaService {
    /// `POST /2018-10-31/layers/{LayerName}/versions`: stores a zip as the layer's next version.
    ///
    /// Errors: `ValidationException` (malformed name, description, license, compatibility lists; no `Content`),
    /// `InvalidParameterValueException` (S3 content, no or bad zip), `RequestEntityTooLargeException` (zip over
    /// 50 MB), `CodeStorageExceededException`, `AccessDeniedException` (a layer ARN of another account).
    func publishLayerVersion(
        _ request: HTTPRequest, _ context: RequestContext, layer: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try resolveOwnLayer(layer, action: "lambda:PublishLayerVersion", in: context)
        let body = try JSONBody(request.body)
        let settings = LayerVersionSettings(
            description: try body.string("Description"), licenseInfo: try body.string("LicenseInfo"),
            compatibleRuntimes: try body.stringList("CompatibleRuntimes"),
            compatibleArchitectures: try body.stringList("CompatibleArchitectures"))
        let content = try body.object("Content")
        var violations = settings.violations(limits: limits)
        if content == nil { violations.append(.missing("content")) }
        guard violations.isEmpty, let content else { throw .validation(violations) }

        if content.has("S3Bucket") || content.has("S3Key") || content.has("S3ObjectVersion") {
            throw .invalidParameterValue(
                "Layer content from S3Bucket and S3Key is not supported by this node; upload the zip inline "
                    + "(Content.ZipFile, or --zip-file fileb://layer.zip with the aws CLI).")
        }
        guard let text = try content.string("ZipFile") else {
            throw .invalidParameterValue("Content.ZipFile is required: upload the layer's .zip package inline.")
        }
        let package = try CodePackage.from(base64: text, limits: limits)
        try checkStorageQuota(adding: package.descriptor.size, in: context)

        let candidate = LayerVersion(
            accountId: context.accountId, region: context.region, name: reference.name,
            description: settings.description ?? "", licenseInfo: settings.licenseInfo,
            compatibleRuntimes: settings.compatibleRuntimes ?? [],
            compatibleArchitectures: settings.compatibleArchitectures ?? [], code: package.descriptor)
        let published = try withStoredCode(package) { () throws(AWSError) -> LayerVersion in
            try storage("publish the layer version") { try store.publishLayerVersion(candidate) }
        }
        logger.info(
            "layer version published",
            [
                ("layer.name", published.name), ("layer.version", String(published.version)),
                ("code.sha256", published.code.sha256Hex),
            ])
        return .json(
            201, published.wireVersion(location: codeLink(sha256Hex: published.code.sha256Hex, request: request)))
    }

    /// `GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}`: one version with a link to its zip.
    ///
    /// Errors: `ValidationException`, `ResourceNotFoundException`, `AccessDeniedException` (another account's
    /// layer whose policy does not grant this account).
    func getLayerVersion(
        _ request: HTTPRequest, _ context: RequestContext, layer: String, version: String
    ) throws(AWSError) -> HTTPResponse {
        let reference = try resolveLayer(layer, in: context)
        let number = try Self.layerVersionNumber(version)
        let found = try readableLayerVersion(reference, version: number, in: context)
        return .json(200, found.wireVersion(location: codeLink(sha256Hex: found.code.sha256Hex, request: request)))
    }

    /// `GET /2018-10-31/layers` routes here for both ListLayers and, with `find=LayerVersion`, GetLayerVersionByArn.
    func listLayersOrFindVersion(_ request: HTTPRequest, _ context: RequestContext) throws(AWSError) -> HTTPResponse {
        guard request.queryValue("find") == "LayerVersion" else { return try listLayers(request, context) }
        guard let arn = request.queryValue("Arn") else { throw .validation([.missing("arn")]) }
        let reference = try LayerReference.parseVersionArn(arn).get()
        guard let number = reference.version, !reference.isAWSManaged else {
            throw .resourceNotFound("Layer version \(arn) does not exist.")
        }
        try checkLayerRegion(reference, in: context)
        let found = try readableLayerVersion(reference, version: number, in: context)
        return .json(200, found.wireVersion(location: codeLink(sha256Hex: found.code.sha256Hex, request: request)))
    }

    /// `DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}`: removes the version and its policy, and its
    /// zip when no function uses it. Answers 204 whether or not the version existed, as AWS does. Functions that
    /// use the version keep it.
    func deleteLayerVersion(_ context: RequestContext, layer: String, version: String) throws(AWSError) -> HTTPResponse
    {
        let reference = try resolveOwnLayer(layer, action: "lambda:DeleteLayerVersion", in: context)
        let number = try Self.layerVersionNumber(version)
        let removed = try storage("delete the layer version") {
            try store.deleteLayerVersion(
                accountId: context.accountId, region: context.region, name: reference.name, version: number)
        }
        if let removed {
            releaseCode(removed.code.sha256Hex)
            logger.info("layer version deleted", [("layer.name", removed.name), ("layer.version", version)])
        }
        return HTTPResponse(status: 204)
    }

    // MARK: - Names and access

    /// Resolves a `LayerName` path parameter, checking the region of an ARN against the request's.
    func resolveLayer(_ text: String, in context: RequestContext) throws(AWSError) -> LayerReference {
        let reference = try LayerReference.parseName(text).get()
        try checkLayerRegion(reference, in: context)
        return reference
    }

    /// Resolves a layer the request changes or lists, which must belong to the request's account.
    func resolveOwnLayer(
        _ text: String, action: String, in context: RequestContext
    ) throws(AWSError)
        -> LayerReference
    {
        let reference = try resolveLayer(text, in: context)
        if let account = reference.accountId, account != context.accountId {
            throw .accessDenied(
                accountId: context.accountId, action: action,
                resource: ARN.layer(region: context.region, account: account, name: reference.name))
        }
        return reference
    }

    /// Refuses a layer ARN of another region: a region's functions and API see only that region's layers.
    func checkLayerRegion(_ reference: LayerReference, in context: RequestContext) throws(AWSError) {
        if let region = reference.region, region != context.region {
            throw .resourceNotFound("Layers from '\(region)' are not reachable in this region ('\(context.region)')")
        }
    }

    /// A version the request's account may read: its own, or another account's whose policy grants it. Another
    /// account's version that does not exist answers `AccessDeniedException` too, so that its absence is not
    /// revealed.
    func readableLayerVersion(
        _ reference: LayerReference, version number: Int, in context: RequestContext
    ) throws(AWSError) -> LayerVersion {
        let account = reference.accountId ?? context.accountId
        let arn = ARN.layer(region: context.region, account: account, name: reference.name, version: number)
        let found = try storage("read the layer version") {
            try store.layerVersion(accountId: account, region: context.region, name: reference.name, version: number)
        }
        if account != context.accountId {
            let policy = try storage("read the layer version policy") {
                try store.layerVersionPolicy(
                    accountId: account, region: context.region, name: reference.name, version: number)
            }
            guard let found, let policy, policy.grants(accountId: context.accountId) else {
                throw .accessDenied(accountId: context.accountId, action: "lambda:GetLayerVersion", resource: arn)
            }
            return found
        }
        guard let found else { throw .resourceNotFound("Layer version \(arn) does not exist.") }
        return found
    }

    /// The `VersionNumber` path parameter: a whole number.
    static func layerVersionNumber(_ text: String) throws(AWSError) -> Int {
        guard let number = Int(text) else {
            throw .validation([.value(text, at: "versionNumber", "Member must be a number")])
        }
        return number
    }
}
