import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletServices
import SwiftletStore
import SwiftletSystem

extension LambdaService {
    /// Starts polling the queues of the stored event source mappings; mappings created later start as they are.
    public func attach(_ pollers: EventSourcePollers) {
        pollersBox.withLock { $0 = pollers }
        let mappings: [EventSourceMapping]
        do {
            mappings = try store.eventSourceMappings()
        } catch {
            logger.error("cannot read the event source mappings", [("error.message", "\(error)")])
            mappings = []
        }
        pollers.start(mappings) { [weak self] mapping, payload in
            guard let self else { return .functionMissing }
            return await self.invokeBatch(mapping, payload: payload)
        }
    }

    /// `POST /2015-03-31/event-source-mappings/`: maps an SQS queue to a function; 202 with the mapping, `Creating`.
    ///
    /// Errors: `ValidationException` (values outside the API's ranges), `InvalidParameterValueException` (a queue
    /// that does not exist or whose visibility timeout is shorter than the function's timeout, a source other than
    /// SQS, settings SQS does not take, a bad filter pattern), `ResourceNotFoundException` (no such function),
    /// `ResourceConflictException` (the function already reads that queue).
    func createEventSourceMapping(_ request: HTTPRequest, _ context: RequestContext) throws(AWSError) -> HTTPResponse {
        let body = try JSONBody(request.body)
        guard let functionName = try body.string("FunctionName") else {
            throw .validation([.missing("functionName")])
        }
        guard let sourceArn = try body.string("EventSourceArn") else {
            throw .invalidParameterValue(
                "EventSourceArn is required: this node maps SQS queues, named by their ARN.")
        }
        // The function must exist, with the version or alias the name carries.
        let target = try loadQualified(functionName, qualifier: nil, in: context)
        var mapping = EventSourceMapping(
            uuid: Identifier.uuid(), accountId: context.accountId, region: context.region,
            functionName: target.record.configuration.name, qualifier: target.qualifier, eventSourceArn: sourceArn,
            lastModified: Date())
        try apply(body, to: &mapping)
        try check(mapping, function: target, in: context)
        try storeMapping(mapping)
        return .json(202, document(mapping, state: "Creating"))
    }

    /// `GET /2015-03-31/event-source-mappings/{UUID}`. Errors: `ResourceNotFoundException`.
    func getEventSourceMapping(_ context: RequestContext, uuid: String) throws(AWSError) -> HTTPResponse {
        .json(200, document(try loadMapping(uuid, in: context)))
    }

    /// `PUT /2015-03-31/event-source-mappings/{UUID}`: changes the settings the request names; 202, `Updating`.
    /// Errors: those of Create, and `ResourceNotFoundException` for an unknown UUID.
    func updateEventSourceMapping(
        _ request: HTTPRequest, _ context: RequestContext, uuid: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let body = try JSONBody(request.body)
        var mapping = try loadMapping(uuid, in: context)
        let target = try loadQualified(
            try body.string("FunctionName") ?? mapping.functionArn, qualifier: nil, in: context)
        mapping.functionName = target.record.configuration.name
        mapping.qualifier = target.qualifier
        try apply(body, to: &mapping)
        mapping.lastModified = Date()
        try check(mapping, function: target, in: context)
        try storeMapping(mapping)
        return .json(202, document(mapping, state: "Updating"))
    }

    /// `DELETE /2015-03-31/event-source-mappings/{UUID}`: stops the mapping; 202 with its last form, `Deleting`.
    /// Messages it had received and not settled come back after their visibility timeout.
    func deleteEventSourceMapping(_ context: RequestContext, uuid: String) throws(AWSError) -> HTTPResponse {
        _ = try loadMapping(uuid, in: context)
        let removed = try storage("delete the event source mapping") { try store.deleteEventSourceMapping(uuid: uuid) }
        guard let removed else { throw Self.mappingNotFound }
        pollersBox.withLock { $0 }?.remove(uuid: uuid)
        return .json(202, document(removed, state: "Deleting"))
    }

    /// `GET /2015-03-31/event-source-mappings/`: the mappings of the account and region, optionally only those of
    /// one queue (`EventSourceArn`) or function (`FunctionName`), paged by `Marker` and `MaxItems`.
    func listEventSourceMappings(_ request: HTTPRequest, _ context: RequestContext) throws(AWSError) -> HTTPResponse {
        var reference: FunctionReference?
        if let name = request.queryValue("FunctionName") { reference = try resolve(name, in: context) }
        let sourceArn = request.queryValue("EventSourceArn")
        let all = try storage("list event source mappings") { try store.eventSourceMappings() }.filter { mapping in
            mapping.accountId == context.accountId && mapping.region == context.region
                && (sourceArn == nil || mapping.eventSourceArn == sourceArn)
                && (reference == nil
                    || (mapping.functionName == reference?.name
                        && (reference?.qualifier == nil || mapping.qualifier == reference?.qualifier)))
        }
        let page = try qualifierPage(all, request) { $0.uuid }
        return .json(
            200,
            .members([
                ("EventSourceMappings", .array(page.items.map { document($0) })), ("NextMarker", page.nextMarker),
            ]))
    }

    // MARK: - Invoking

    /// Invokes a mapping's function with a batch, resolving its version or alias now so that a weighted alias draws
    /// per batch and a function updated since the mapping was made runs its current code.
    func invokeBatch(_ mapping: EventSourceMapping, payload: Data) async -> EventSourcePollers.BatchOutcome {
        let context = RequestContext(accountId: mapping.accountId, region: mapping.region, requestId: Identifier.uuid())
        let qualified: QualifiedFunction
        do {
            qualified = try loadQualified(mapping.functionName, qualifier: mapping.qualifier, in: context) {
                $0.version(forDraw: Double.random(in: 0..<1))
            }
        } catch {
            return error.status == 404 ? .functionMissing : .throttled
        }
        guard let result = await invokeInternally(qualified, payload: payload, in: context) else { return .throttled }
        return .ran(response: result.payload, functionError: result.functionError)
    }

    // MARK: - Helpers

    static let mappingNotFound = AWSError.resourceNotFound("The resource you requested does not exist.")

    /// Settings of other event sources that an SQS mapping refuses.
    static let settingsSQSRefuses = [
        "StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor", "DestinationConfig",
        "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "TumblingWindowInSeconds",
        "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource", "SelfManagedKafkaEventSourceConfig",
        "AmazonManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig",
    ]
    /// Settings AWS takes for SQS mappings that this node does not keep.
    // Limitation: event source mappings take no Tags, KMSKeyArn, MetricsConfig or ProvisionedPollerConfig; a
    // request with one is refused with InvalidParameterValueException.
    static let settingsNotKept = ["Tags", "KMSKeyArn", "MetricsConfig", "ProvisionedPollerConfig"]

    private func loadMapping(_ uuid: String, in context: RequestContext) throws(AWSError) -> EventSourceMapping {
        let found = try storage("read the event source mapping") { try store.eventSourceMappings() }.first {
            $0.uuid == uuid
        }
        guard let found, found.accountId == context.accountId, found.region == context.region else {
            throw Self.mappingNotFound
        }
        return found
    }

    /// Reads the settings a request gives into `mapping`, leaving the others.
    private func apply(_ body: JSONBody, to mapping: inout EventSourceMapping) throws(AWSError) {
        for name in Self.settingsSQSRefuses where body.has(name) {
            throw .invalidParameterValue("Unsupported \(name) parameter for SQS event sources.")
        }
        for name in Self.settingsNotKept where body.has(name) {
            throw .invalidParameterValue("This node does not support \(name) on event source mappings.")
        }
        if let enabled = try body.bool("Enabled") { mapping.enabled = enabled }
        if let size = try body.int("BatchSize", in: 1...10_000, field: "batchSize") { mapping.batchSize = size }
        if let window = try body.int(
            "MaximumBatchingWindowInSeconds", in: 0...300, field: "maximumBatchingWindowInSeconds")
        {
            mapping.maximumBatchingWindowInSeconds = window
        }
        if let types = try body.stringList("FunctionResponseTypes") {
            if types.count > 1 {
                throw .validation([
                    .value(
                        "[\(types.joined(separator: ", "))]", at: "functionResponseTypes",
                        "Member must have length less than or equal to 1")
                ])
            }
            for type in types where type != "ReportBatchItemFailures" {
                throw .validation([
                    .value(
                        "[\(type)]", at: "functionResponseTypes",
                        "Member must satisfy constraint: "
                            + "[Member must satisfy enum value set: [ReportBatchItemFailures]]")
                ])
            }
            mapping.reportsBatchItemFailures = !types.isEmpty
        }
        if let scaling = try body.object("ScalingConfig") {
            mapping.maximumConcurrency = try scaling.int(
                "MaximumConcurrency", in: 2...1_000, field: "scalingConfig.maximumConcurrency")
        }
        if let criteria = try body.object("FilterCriteria") {
            mapping.filterPatterns = try Self.filterPatterns(criteria)
        }
    }

    /// The patterns of `FilterCriteria.Filters`, each checked; at most five.
    static func filterPatterns(_ criteria: JSONBody) throws(AWSError) -> [String] {
        let filters: [JSONValue]
        switch criteria.members.first(where: { $0.0 == "Filters" })?.1 {
        case nil, .null?: return []
        case .array(let items)?: filters = items
        default:
            throw .invalidRequestContent(
                "Could not parse request body into json: 'FilterCriteria.Filters' must be a list.")
        }
        guard filters.count <= 5 else {
            throw .invalidParameterValue(
                "FilterCriteria holds \(filters.count) filters; an event source mapping takes at most 5.")
        }
        var patterns: [String] = []
        for filter in filters {
            guard case .object(let fields) = filter, let pattern = fields.first(where: { $0.0 == "Pattern" })?.1,
                let text = pattern.stringValue
            else {
                throw .invalidParameterValue(
                    "Each filter of FilterCriteria needs a Pattern, a JSON object as a string.")
            }
            guard text.count <= 4096 else {
                throw .validation([
                    .value(
                        text, at: "filterCriteria.filters.member.pattern",
                        "Member must have length less than or equal to 4096")
                ])
            }
            _ = try EventFilterPattern(parsing: text)
            patterns.append(text)
        }
        return patterns
    }

    /// Checks what depends on the queue and the function: the source is an SQS queue of this node, the batch
    /// settings suit it, and its visibility timeout outlasts the function's timeout.
    private func check(
        _ mapping: EventSourceMapping, function: QualifiedFunction, in context: RequestContext
    ) throws(AWSError) {
        let parts = mapping.eventSourceArn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws") else {
            throw .invalidParameterValue("The event source ARN \(mapping.eventSourceArn) is not a valid ARN.")
        }
        // Limitation: event source mappings read SQS queues only; Kinesis, DynamoDB streams, Kafka, MQ and
        // DocumentDB sources are refused with InvalidParameterValueException.
        guard parts[2] == "sqs" else {
            throw .invalidParameterValue(
                "The event source \(mapping.eventSourceArn) is of a kind this node does not read (\(parts[2])): "
                    + "map an SQS queue.")
        }
        guard let pollers = pollersBox.withLock({ $0 }) else {
            throw .service("This node does not run event source mappings.")
        }
        let queue: ManagedQueue
        do {
            queue = try pollers.queues.queue(arn: mapping.eventSourceArn)
        } catch {
            throw .invalidParameterValue(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                    + "SQS Error Message: The specified queue \(mapping.eventSourceArn) does not exist.")
        }
        if queue.isFIFO && mapping.batchSize > 10 {
            throw .invalidParameterValue(
                "BatchSize \(mapping.batchSize) is too large for the FIFO queue \(queue.name): at most 10.")
        }
        if queue.isFIFO && mapping.maximumBatchingWindowInSeconds > 0 {
            throw .invalidParameterValue(
                "MaximumBatchingWindowInSeconds is not supported for FIFO queues: leave it at 0.")
        }
        if mapping.batchSize > 10 && mapping.maximumBatchingWindowInSeconds == 0 {
            throw .invalidParameterValue(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
        }
        let visibility = queue.settings.visibilityTimeout
        let timeout = function.record.configuration.timeout
        if visibility < timeout {
            throw .invalidParameterValue(
                "Queue visibility timeout: \(visibility) seconds is less than Function timeout: \(timeout) seconds")
        }
    }

    /// Stores a mapping unless the function already reads its queue through another, then applies it to polling.
    private func storeMapping(_ mapping: EventSourceMapping) throws(AWSError) {
        try storage("store the event source mapping") {
            try store.putEventSourceMapping(mapping) { others in
                if let existing = others.first(where: {
                    $0.functionArn == mapping.functionArn && $0.eventSourceArn == mapping.eventSourceArn
                }) {
                    throw AWSError.resourceConflict(
                        "An event source mapping with SQS arn (\" \(mapping.eventSourceArn) \") and function (\" "
                            + "\(mapping.functionName) \") already exists. Please update or delete the existing "
                            + "mapping with UUID \(existing.uuid)")
                }
            }
        }
        pollersBox.withLock { $0 }?.apply(mapping)
    }

    /// A mapping as the API shows it; `state` overrides the settled one for the answers of Create, Update, Delete.
    func document(_ mapping: EventSourceMapping, state: String? = nil) -> JSONValue {
        let lastResult = pollersBox.withLock { $0 }?.lastProcessingResult(uuid: mapping.uuid) ?? "No records processed"
        return .members([
            ("UUID", .string(mapping.uuid)),
            ("BatchSize", .integer(Int64(mapping.batchSize))),
            ("MaximumBatchingWindowInSeconds", .integer(Int64(mapping.maximumBatchingWindowInSeconds))),
            ("EventSourceArn", .string(mapping.eventSourceArn)),
            (
                "FilterCriteria",
                mapping.filterPatterns.isEmpty
                    ? nil
                    : .members([
                        ("Filters", .array(mapping.filterPatterns.map { .members([("Pattern", .string($0))]) }))
                    ])
            ),
            ("FunctionArn", .string(mapping.functionArn)),
            ("LastModified", .number(mapping.lastModified.timeIntervalSince1970)),
            ("LastProcessingResult", .string(lastResult)),
            ("State", .string(state ?? (mapping.enabled ? "Enabled" : "Disabled"))),
            ("StateTransitionReason", .string("USER_INITIATED")),
            (
                "FunctionResponseTypes",
                .array(mapping.reportsBatchItemFailures ? [.string("ReportBatchItemFailures")] : [])
            ),
            (
                "ScalingConfig",
                mapping.maximumConcurrency.map { .members([("MaximumConcurrency", .integer(Int64($0)))]) }
            ),
            ("EventSourceMappingArn", .string(mapping.arn)),
        ])
    }
}
