import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore

extension LambdaService {
    /// `POST /2015-03-31/functions`: stores a new function and its code.
    ///
    /// Errors: `ValidationException` (malformed fields, layer ARNs), `InvalidParameterValueException` (bad runtime,
    /// code, environment, tags, layers; missing runtime or handler; code and layers past the unzipped limit),
    /// `AccessDeniedException` (another account's layer without a grant), `RequestEntityTooLargeException` (zip over
    /// 50 MB), `ResourceConflictException` (name taken), `CodeStorageExceededException` (account storage full).
    func createFunction(_ request: HTTPRequest, _ context: RequestContext) throws(AWSError) -> HTTPResponse {
        let body = try JSONBody(request.body)

        var violations: [ValidationViolation] = []
        let nameText = try body.string("FunctionName")
        if let nameText {
            violations += FunctionReference.violations(nameText, maxLength: 140)
        } else {
            violations.append(.missing("functionName"))
        }
        let role = try body.string("Role")
        if role == nil { violations.append(.missing("role")) }
        let code = try body.object("Code")
        if code == nil { violations.append(.missing("code")) }
        let settings = try Self.settings(from: body)
        violations += settings.violations(limits: limits)
        let layerArns = try body.stringList("Layers")
        violations += LayerReference.listViolations(layerArns ?? [])
        var configurationProbe = FunctionConfiguration.probe
        do {
            try applyObservability(body, to: &configurationProbe)
        } catch {
            if error.type == "ValidationException" { throw error }
        }
        guard violations.isEmpty, let nameText, let role, let code,
            case .success(let reference) = FunctionReference.parse(nameText, maxLength: 140)
        else { throw .validation(violations) }

        if reference.qualifier != nil {
            throw .invalidParameterValue("A function name in CreateFunction cannot carry a version or alias qualifier.")
        }
        _ = try resolve(nameText, in: context, maxLength: 140)
        if reference.name.count > limits.functionNameLength {
            throw .invalidParameterValue(
                "1 validation error detected: Value '\(reference.name)' at 'functionName' failed to satisfy "
                    + "constraint: Member must have length less than or equal to \(limits.functionNameLength)")
        }
        if let error = settings.semanticError(limits: limits) { throw error }
        if let packageType = try body.string("PackageType"), packageType != "Zip" {
            throw .invalidParameterValue(
                "PackageType \(packageType) is not supported by this node; deploy a .zip package (PackageType Zip).")
        }
        guard let runtime = settings.runtime, let handler = settings.handler else {
            throw .invalidParameterValue(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages.")
        }
        try rejectUnsupportedFeatures(body)
        try checkRuntimeRuns(runtime)
        let layers = try resolveLayers(layerArns ?? [], in: context)
        let tags = try body.stringMap("Tags") ?? [:]
        if let error = TagRules.validate(adding: tags, to: [:], limits: limits) { throw error }
        guard let package = try codePackage(from: code) else {
            throw .invalidParameterValue("Code.ZipFile is required: upload the function's .zip package inline.")
        }
        try checkCombinedSize(code: package.descriptor, layers: layers)
        try checkStorageQuota(adding: package.descriptor.size, in: context)

        var configuration = FunctionConfiguration(
            name: reference.name, runtime: runtime, role: role, handler: handler,
            description: settings.description ?? "", timeout: settings.timeout ?? FunctionDefaults.timeout,
            memorySize: settings.memorySize ?? FunctionDefaults.memorySize, environment: settings.environment,
            ephemeralStorage: settings.ephemeralStorage ?? FunctionDefaults.ephemeralStorage,
            architectures: settings.architectures ?? ["x86_64"], code: package.descriptor)
        configuration.layers = layers
        try applyObservability(body, to: &configuration)
        let record = FunctionRecord(
            accountId: context.accountId, region: context.region, configuration: configuration, tags: tags)

        try withStoredCode(package) { () throws(AWSError) in
            try confirmLayersExist(layers)
            do {
                try store.insertFunction(record)
            } catch StoreError.alreadyExists {
                throw .resourceConflict("Function already exist: \(reference.name)")
            } catch {
                logger.error("storage failed", [("store.operation", "insert"), ("error.message", "\(error)")])
                throw .service("The node could not store the function; see the node's log.")
            }
        }
        if try body.bool("Publish") == true {
            let published = try publish(reference, in: context)
            logger.info("function created", [("function.name", reference.name), ("function.version", "1")])
            return HTTPResponse.json(201, published.wireConfiguration())
        }
        logger.info(
            "function created",
            [
                ("function.name", reference.name), ("function.runtime", runtime),
                ("code.sha256", package.descriptor.sha256Hex),
            ])
        return HTTPResponse.json(201, record.wireConfiguration())
    }

    /// Reads the settable fields shared by CreateFunction and UpdateFunctionConfiguration.
    static func settings(from body: JSONBody) throws(AWSError) -> FunctionSettings {
        var settings = FunctionSettings()
        settings.runtime = try body.string("Runtime")
        settings.role = try body.string("Role")
        settings.handler = try body.string("Handler")
        settings.description = try body.string("Description")
        settings.timeout = try body.int("Timeout")
        settings.memorySize = try body.int("MemorySize")
        if let environment = try body.object("Environment") {
            settings.environment = try environment.stringMap("Variables") ?? [:]
            settings.environmentOrder = environment.keys(of: "Variables")
        }
        if let storage = try body.object("EphemeralStorage") {
            guard let size = try storage.int("Size") else {
                throw .validation([.missing("ephemeralStorage.size")])
            }
            settings.ephemeralStorage = size
        }
        settings.architectures = try body.stringList("Architectures")
        return settings
    }

    /// Refuses fields that ask for features this node does not provide, rather than ignoring them silently.
    func rejectUnsupportedFeatures(_ body: JSONBody) throws(AWSError) {
        let unsupported: [(key: String, what: String)] = [
            ("VpcConfig", "VPC configuration"), ("FileSystemConfigs", "EFS file systems"),
            ("ImageConfig", "Container image settings"), ("CodeSigningConfigArn", "Code signing"),
            ("KMSKeyArn", "Customer-managed KMS keys"),
        ]
        for (key, what) in unsupported where body.hasContent(key) {
            throw .invalidParameterValue("\(what) (\(key)) are not supported by this node yet; remove \(key).")
        }
        if let snapStart = try body.object("SnapStart"), let applyOn = try snapStart.string("ApplyOn"),
            applyOn != "None"
        {
            throw .invalidParameterValue("SnapStart is not supported by this node; set SnapStart.ApplyOn to None.")
        }
    }

    /// Applies `TracingConfig` and `LoggingConfig`, which the node records and reports, and `DeadLetterConfig`.
    func applyObservability(_ body: JSONBody, to configuration: inout FunctionConfiguration) throws(AWSError) {
        if let deadLetter = try body.object("DeadLetterConfig") {
            let target = try deadLetter.string("TargetArn")
            // Limitation: dead-letter queues may be SQS queues only; SNS topics are refused.
            if let target, !target.isEmpty, !target.hasPrefix("arn:aws:sqs:") || target.split(separator: ":").count != 6
            {
                throw .invalidParameterValue(
                    "DeadLetterConfig.TargetArn must be the ARN of an SQS queue (this node does not deliver to "
                        + "\(target.hasPrefix("arn:aws:sns:") ? "SNS topics" : "anything else")): \(target)")
            }
            configuration.deadLetterTarget = target?.isEmpty == false ? target : nil
        }
        if let tracing = try body.object("TracingConfig"), let mode = try tracing.string("Mode") {
            guard mode == "Active" || mode == "PassThrough" else {
                throw .validation([
                    .value(mode, at: "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]")
                ])
            }
            configuration.tracingMode = mode
        }
        if let logging = try body.object("LoggingConfig") {
            if let format = try logging.string("LogFormat") {
                guard format == "Text" || format == "JSON" else {
                    throw .validation([
                        .value(
                            format, at: "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]")
                    ])
                }
                configuration.logFormat = format
            }
            if let group = try logging.string("LogGroup") {
                guard !group.isEmpty, group.count <= 512 else {
                    throw .invalidParameterValue("LoggingConfig.LogGroup must be 1 to 512 characters long.")
                }
                configuration.logGroup = group
            }
        }
    }

    /// Throws `CodeStorageExceededException` when `bytes` more would pass the account's code storage quota.
    func checkStorageQuota(adding bytes: Int64, in context: RequestContext) throws(AWSError) {
        let usage = try storage("read the account's usage") { try store.accountUsage(accountId: context.accountId) }
        if usage.totalCodeSize + bytes > limits.totalCodeSize {
            throw AWSError(type: "CodeStorageExceededException", status: 400, message: "Code storage limit exceeded.")
        }
    }
}
