import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore

extension LambdaService {
    /// `PUT /2015-03-31/functions/{name}/code`: replaces the code of `$LATEST`.
    ///
    /// Errors: `ResourceNotFoundException`, `InvalidParameterValueException` (bad zip, no code),
    /// `PreconditionFailedException` (stale `RevisionId`), `RequestEntityTooLargeException`.
    func updateFunctionCode(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try resolveUnqualified(name, in: context)
        let body = try JSONBody(request.body)
        let revision = try body.string("RevisionId")
        let dryRun = try body.bool("DryRun") ?? false
        let publishAfter = try body.bool("Publish") ?? false
        var settings = FunctionSettings()
        settings.architectures = try body.stringList("Architectures")
        if let error = settings.validate(limits: limits) { throw error }
        guard let package = try codePackage(from: body) else {
            throw .invalidParameterValue("Please provide a source for function code: ZipFile.")
        }
        let current = try load(reference, in: context)
        try checkCombinedSize(code: package.descriptor, layers: current.configuration.layers)
        try checkStorageQuota(adding: package.descriptor.size - current.configuration.code.size, in: context)

        if dryRun {
            var preview = current
            preview.configuration.code = package.descriptor
            return .json(200, preview.wireConfiguration())
        }
        var replaced: String?
        let updated = try withStoredCode(package) { () throws(AWSError) -> FunctionRecord in
            try modify(reference, in: context, expectedRevision: revision) { record throws(AWSError) in
                try checkCombinedSize(code: package.descriptor, layers: record.configuration.layers)
                let previous = record.configuration.code.sha256Hex
                record.configuration.code = package.descriptor
                if let architectures = settings.architectures { record.configuration.architectures = architectures }
                record.configuration.touch()
                if previous != package.descriptor.sha256Hex { replaced = previous }
            }
        }
        if let replaced { releaseCode(replaced) }
        retireEnvironments(of: reference.name, in: context, version: "$LATEST")
        logger.info(
            "function code updated",
            [("function.name", reference.name), ("code.sha256", package.descriptor.sha256Hex)])
        if publishAfter {
            return .json(200, try publish(reference, in: context).wireConfiguration())
        }
        return .json(200, updated.wireConfiguration())
    }

    /// `PUT /2015-03-31/functions/{name}/configuration`: changes the settings of `$LATEST`.
    func updateFunctionConfiguration(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    )
        throws(AWSError) -> HTTPResponse
    {
        let reference = try resolveUnqualified(name, in: context)
        let body = try JSONBody(request.body)
        let revision = try body.string("RevisionId")
        let settings = try Self.settings(from: body)
        if settings.architectures != nil {
            throw .invalidParameterValue("Architectures can be changed only with UpdateFunctionCode.")
        }
        let layerArns = try body.stringList("Layers")
        let violations = settings.violations(limits: limits) + LayerReference.listViolations(layerArns ?? [])
        if !violations.isEmpty { throw .validation(violations) }
        if let error = settings.semanticError(limits: limits) { throw error }
        try rejectUnsupportedFeatures(body)
        try checkRuntimeRuns(settings.runtime)
        let layers = try layerArns.map { arns throws(AWSError) in try resolveLayers(arns, in: context) }

        var droppedLayers: Set<String> = []
        let update = { () throws(AWSError) -> FunctionRecord in
            try self.modify(reference, in: context, expectedRevision: revision) { record throws(AWSError) in
                if let layers {
                    droppedLayers = Set(record.configuration.layers.map(\.sha256Hex))
                    droppedLayers.subtract(layers.map(\.sha256Hex))
                }
                try self.applySettings(settings, layers: layers, body: body, to: &record)
            }
        }
        let updated: FunctionRecord
        if let layers {
            // New layers are recorded under `codeLock`, like new code, so that their blobs cannot go in between.
            updated = try withStoredCode(nil) { () throws(AWSError) -> FunctionRecord in
                try confirmLayersExist(layers)
                return try update()
            }
        } else {
            updated = try update()
        }
        for digest in droppedLayers { releaseCode(digest) }
        retireEnvironments(of: reference.name, in: context, version: "$LATEST")
        logger.info("function configuration updated", [("function.name", reference.name)])
        return .json(200, updated.wireConfiguration())
    }

    /// Applies the given settings and layers to `$LATEST`, checking code and layers against the unzipped limit.
    private func applySettings(
        _ settings: FunctionSettings, layers: [FunctionLayer]?, body: JSONBody, to record: inout FunctionRecord
    ) throws(AWSError) {
        var configuration = record.configuration
        if let runtime = settings.runtime { configuration.runtime = runtime }
        if let role = settings.role { configuration.role = role }
        if let handler = settings.handler { configuration.handler = handler }
        if let description = settings.description { configuration.description = description }
        if let timeout = settings.timeout { configuration.timeout = timeout }
        if let memorySize = settings.memorySize { configuration.memorySize = memorySize }
        if let environment = settings.environment { configuration.environment = environment }
        if let storage = settings.ephemeralStorage { configuration.ephemeralStorage = storage }
        if let layers {
            try checkCombinedSize(code: configuration.code, layers: layers)
            configuration.layers = layers
        }
        try applyObservability(body, to: &configuration)
        configuration.touch()
        record.configuration = configuration
    }

    /// Read-modify-write of one function in a store transaction, checking `expectedRevision` inside it.
    func modify(
        _ reference: FunctionReference, in context: RequestContext, expectedRevision: String?,
        _ change: (inout FunctionRecord) throws(AWSError) -> Void
    ) throws(AWSError) -> FunctionRecord {
        do {
            return try store.updateFunction(accountId: context.accountId, region: context.region, name: reference.name)
            { record in
                if let expectedRevision, expectedRevision != record.configuration.revisionId {
                    throw AWSError.revisionMismatch
                }
                try change(&record)
            }
        } catch let error as AWSError {
            throw error
        } catch StoreError.notFound {
            throw functionNotFound(reference.name, in: context)
        } catch {
            logger.error("storage failed", [("store.operation", "update"), ("error.message", "\(error)")])
            throw .service("The node could not update the function; see the node's log.")
        }
    }
}
