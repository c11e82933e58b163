import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem

extension LambdaService {
    /// `POST /2015-03-31/functions/{name}/aliases`: names a version, optionally with a weighted second version.
    ///
    /// Errors: `ValidationException` (name or version pattern), `ResourceNotFoundException` (function or version),
    /// `ResourceConflictException` (the alias exists), `InvalidParameterValueException` (routing).
    func createAlias(_ request: HTTPRequest, _ context: RequestContext, name: String) throws(AWSError) -> HTTPResponse {
        let reference = try resolveUnqualified(name, in: context)
        let body = try JSONBody(request.body)
        var violations: [ValidationViolation] = []
        let aliasName = try body.string("Name")
        let version = try body.string("FunctionVersion")
        if let aliasName {
            violations += Self.aliasNameViolations(aliasName, at: "name")
        } else {
            violations.append(.missing("name"))
        }
        if let version {
            violations += Self.functionVersionViolations(version)
        } else {
            violations.append(.missing("functionVersion"))
        }
        let description = try body.string("Description") ?? ""
        violations += descriptionViolations(description)
        if !violations.isEmpty { throw .validation(violations) }
        guard let aliasName, let version else { throw .validation(violations) }

        let weights = try Self.routingWeights(body)
        let alias = FunctionAlias(
            accountId: context.accountId, region: context.region, functionName: reference.name, name: aliasName,
            functionVersion: version, description: description, additionalVersionWeights: weights ?? [:],
            revisionId: Identifier.uuid())
        try withAliasLock { () throws(AWSError) in
            _ = try load(reference, in: context)
            try checkAliasTarget(reference.name, version: version, weights: weights, in: context)
            do {
                try store.insertAlias(alias)
            } catch StoreError.alreadyExists {
                throw .resourceConflict("Alias already exists: \(alias.arn)")
            } catch {
                logger.error("storage failed", [("store.operation", "create alias"), ("error.message", "\(error)")])
                throw .service("The node could not create the alias; see the node's log.")
            }
        }
        logger.info("alias created", [("function.name", reference.name), ("alias.name", aliasName)])
        return .json(201, alias.wire())
    }

    /// `GET /2015-03-31/functions/{name}/aliases/{alias}`. A missing alias is `Cannot find alias arn: ...`, AWS's
    /// wording for this operation, where UpdateAlias says `Alias not found: ...`.
    func getAlias(_ context: RequestContext, name: String, alias aliasName: String) throws(AWSError) -> HTTPResponse {
        let reference = try resolveUnqualified(name, in: context)
        let violations = Self.aliasNameViolations(aliasName, at: "name")
        if !violations.isEmpty { throw .validation(violations) }
        let alias = try loadAlias(reference.name, aliasName, in: context, notFoundPrefix: "Cannot find alias arn: ")
        return .json(200, alias.wire())
    }

    /// `PUT /2015-03-31/functions/{name}/aliases/{alias}`: changes the version, description or routing.
    ///
    /// Errors: as CreateAlias, and `PreconditionFailedException` when `RevisionId` is not the alias's.
    func updateAlias(
        _ request: HTTPRequest, _ context: RequestContext, name: String, alias aliasName: String
    ) throws(AWSError) -> HTTPResponse {
        let reference = try resolveUnqualified(name, in: context)
        let body = try JSONBody(request.body)
        var violations = Self.aliasNameViolations(aliasName, at: "name")
        let version = try body.string("FunctionVersion")
        if let version { violations += Self.functionVersionViolations(version) }
        let description = try body.string("Description")
        if let description { violations += descriptionViolations(description) }
        if !violations.isEmpty { throw .validation(violations) }
        let weights = try Self.routingWeights(body)
        let expectedRevision = try body.string("RevisionId")

        let updated = try withAliasLock { () throws(AWSError) in
            let current = try loadAlias(reference.name, aliasName, in: context)
            if let expectedRevision, expectedRevision != current.revisionId { throw AWSError.revisionMismatch }
            try checkAliasTarget(
                reference.name, version: version ?? current.functionVersion,
                weights: weights ?? current.additionalVersionWeights, in: context)
            do {
                return try store.updateAlias(
                    accountId: context.accountId, region: context.region, functionName: reference.name,
                    name: aliasName
                ) { alias in
                    if let expectedRevision, expectedRevision != alias.revisionId { throw AWSError.revisionMismatch }
                    if let version { alias.functionVersion = version }
                    if let description { alias.description = description }
                    if let weights { alias.additionalVersionWeights = weights }
                    alias.revisionId = Identifier.uuid()
                }
            } catch let error as AWSError {
                throw error
            } catch StoreError.notFound {
                throw aliasNotFound(reference.name, aliasName, in: context)
            } catch {
                logger.error("storage failed", [("store.operation", "update alias"), ("error.message", "\(error)")])
                throw .service("The node could not update the alias; see the node's log.")
            }
        }
        logger.info("alias updated", [("function.name", reference.name), ("alias.name", aliasName)])
        applyProvisioned(reference.name, in: context)
        return .json(200, updated.wire())
    }

    /// `DELETE /2015-03-31/functions/{name}/aliases/{alias}`: 204 whether or not the alias existed, as AWS does.
    func deleteAlias(_ context: RequestContext, name: String, alias aliasName: String) throws(AWSError) -> HTTPResponse
    {
        let reference = try resolveUnqualified(name, in: context)
        let violations = Self.aliasNameViolations(aliasName, at: "name")
        if !violations.isEmpty { throw .validation(violations) }
        _ = try load(reference, in: context)
        let removed = try storage("delete the alias") {
            try store.deleteAlias(
                accountId: context.accountId, region: context.region, functionName: reference.name, name: aliasName)
        }
        if removed != nil {
            logger.info("alias deleted", [("function.name", reference.name), ("alias.name", aliasName)])
            applyProvisioned(reference.name, in: context)
        }
        return HTTPResponse(status: 204)
    }

    /// `GET /2015-03-31/functions/{name}/aliases`: the function's aliases in name order, paged, optionally only
    /// those whose `FunctionVersion` or additional version is `FunctionVersion`.
    func listAliases(_ request: HTTPRequest, _ context: RequestContext, name: String) throws(AWSError) -> HTTPResponse {
        let reference = try resolveUnqualified(name, in: context)
        let filter = request.queryValue("FunctionVersion")
        if let filter {
            let violations = Self.functionVersionViolations(filter)
            if !violations.isEmpty { throw .validation(violations) }
        }
        let pageSize = try pageSize(request)
        var after: String?
        if let marker = request.queryValue("Marker") {
            guard let decoded = Self.decodeMarker(marker) else {
                throw .invalidParameterValue("Invalid Marker: pass the NextMarker of an earlier answer.")
            }
            after = decoded
        }
        _ = try load(reference, in: context)

        // Filtering happens after reading, so read batches until the page is full or the aliases run out.
        var page: [FunctionAlias] = []
        var exhausted = false
        while page.count <= pageSize, !exhausted {
            let batch = try storage("list aliases") {
                try store.listAliases(
                    accountId: context.accountId, region: context.region, functionName: reference.name,
                    after: after, limit: pageSize + 1)
            }
            exhausted = batch.count <= pageSize
            after = batch.last?.name
            page += batch.filter { alias in filter.map { alias.versions.contains($0) } ?? true }
        }
        var nextMarker: String?
        if page.count > pageSize, let last = page.prefix(pageSize).last { nextMarker = Self.encodeMarker(last.name) }
        return .json(
            200,
            .members([
                ("NextMarker", nextMarker.map(JSONValue.string)),
                ("Aliases", .array(page.prefix(pageSize).map { $0.wire() })),
            ]))
    }

    /// Runs `body` holding `aliasLock`: alias writes and the deletion of versions they may point to take turns.
    func withAliasLock<Result>(_ body: () throws(AWSError) -> Result) throws(AWSError) -> Result {
        let outcome: Swift.Result<Result, AWSError> = aliasLock.withLock { _ in
            do throws(AWSError) {
                return .success(try body())
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Loads an alias or answers `ResourceNotFoundException`: `notFoundPrefix` followed by the alias's ARN.
    func loadAlias(
        _ functionName: String, _ aliasName: String, in context: RequestContext,
        notFoundPrefix: String = "Alias not found: "
    ) throws(AWSError) -> FunctionAlias {
        let alias = try storage("read the alias") {
            try store.alias(
                accountId: context.accountId, region: context.region, functionName: functionName, name: aliasName)
        }
        guard let alias else {
            _ = try load(FunctionReference(name: functionName), in: context)
            throw aliasNotFound(functionName, aliasName, in: context, prefix: notFoundPrefix)
        }
        return alias
    }

    /// `Alias not found: arn:...:function:NAME:ALIAS`.
    func aliasNotFound(
        _ functionName: String, _ aliasName: String, in context: RequestContext, prefix: String = "Alias not found: "
    ) -> AWSError {
        .resourceNotFound(
            prefix
                + ARN.function(
                    region: context.region, account: context.accountId, name: functionName, qualifier: aliasName))
    }

    /// Checks that the alias's versions exist and that its routing is one AWS accepts.
    private func checkAliasTarget(
        _ functionName: String, version: String, weights: [String: Double]?, in context: RequestContext
    ) throws(AWSError) {
        if let weights, !weights.isEmpty {
            if version == "$LATEST" {
                throw .invalidParameterValue("$LATEST is not supported for an alias pointing to more than 1 version")
            }
            if weights.keys.contains(version) {
                throw .invalidParameterValue(
                    "The additional version \(version) in RoutingConfig must differ from the alias's FunctionVersion.")
            }
            for additional in weights.keys.sorted() {
                guard Int(additional).map({ $0 > 0 }) == true else {
                    throw .invalidParameterValue(
                        "The additional version \(additional) in RoutingConfig must be a published version number.")
                }
                try checkVersionExists(functionName, additional, in: context)
            }
        }
        try checkVersionExists(functionName, version, in: context)
    }

    private func checkVersionExists(
        _ functionName: String, _ version: String, in context: RequestContext
    )
        throws(AWSError)
    {
        guard version != "$LATEST" else { return }
        let found = try storage("read the version") {
            try Int(version).flatMap {
                try store.version(accountId: context.accountId, region: context.region, name: functionName, version: $0)
            }
        }
        if found == nil { throw functionNotFound(functionName, qualifier: version, in: context) }
    }

    /// `RoutingConfig.AdditionalVersionWeights`, or nil when the request has no `RoutingConfig`. An empty map
    /// clears the routing.
    static func routingWeights(_ body: JSONBody) throws(AWSError) -> [String: Double]? {
        guard let routing = try body.object("RoutingConfig") else { return nil }
        guard case .object(let entries)? = routing.members.first(where: { $0.0 == "AdditionalVersionWeights" })?.1
        else { return [:] }
        var weights: [String: Double] = [:]
        var violations: [ValidationViolation] = []
        for (version, value) in entries {
            let weight: Double
            switch value {
            case .number(let number): weight = number
            case .integer(let number): weight = Double(number)
            default:
                throw .invalidRequestContent(
                    "Could not parse request body into json: 'RoutingConfig.AdditionalVersionWeights' must map "
                        + "versions to numbers.")
            }
            if version.isEmpty || version.count > 1024 || !version.allSatisfy({ $0.isASCII && $0.isNumber }) {
                violations.append(
                    .value(
                        version, at: "routingConfig.additionalVersionWeights",
                        "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]"))
            }
            if !(0.0...1.0).contains(weight) {
                violations.append(
                    .value(
                        "\(weight)", at: "routingConfig.additionalVersionWeights",
                        "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
                            + "Member must have value greater than or equal to 0.0]"))
            }
            weights[version] = weight
        }
        if !violations.isEmpty { throw .validation(violations) }
        if weights.count > 1 {
            throw .invalidParameterValue(
                "RoutingConfig.AdditionalVersionWeights can name at most 1 additional version; it names "
                    + "\(weights.count).")
        }
        return weights
    }

    /// Violations of the alias name's pattern `(?!^[0-9]+$)([a-zA-Z0-9-_]+)` and length 1–128.
    static func aliasNameViolations(_ name: String, at field: String) -> [ValidationViolation] {
        var violations: [ValidationViolation] = []
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        if name.isEmpty || !allowed || name.allSatisfy({ $0.isASCII && $0.isNumber }) {
            violations.append(
                .value(name, at: field, "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"))
        }
        if name.count > 128 {
            violations.append(.value(name, at: field, "Member must have length less than or equal to 128"))
        }
        return violations
    }

    /// Violations of the `FunctionVersion` pattern `(\$LATEST|[0-9]+)` and length 1–1024.
    static func functionVersionViolations(_ version: String) -> [ValidationViolation] {
        var violations: [ValidationViolation] = []
        if version != "$LATEST" && (version.isEmpty || !version.allSatisfy({ $0.isASCII && $0.isNumber })) {
            violations.append(
                .value(
                    version, at: "functionVersion", "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)"
                ))
        }
        if version.count > 1024 {
            violations.append(
                .value(version, at: "functionVersion", "Member must have length less than or equal to 1024"))
        }
        return violations
    }

    private func descriptionViolations(_ description: String) -> [ValidationViolation] {
        guard description.count > limits.descriptionLength else { return [] }
        return [
            .value(
                description, at: "description",
                "Member must have length less than or equal to \(limits.descriptionLength)")
        ]
    }
}

extension FunctionAlias {
    /// The `AliasConfiguration` shape of the Lambda API.
    func wire() -> JSONValue {
        .members([
            ("AliasArn", .string(arn)),
            ("Name", .string(name)),
            ("FunctionVersion", .string(functionVersion)),
            ("Description", .string(description)),
            (
                "RoutingConfig",
                additionalVersionWeights.isEmpty
                    ? nil
                    : .object([
                        (
                            "AdditionalVersionWeights",
                            .object(
                                additionalVersionWeights.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })
                        )
                    ])
            ),
            ("RevisionId", .string(revisionId)),
        ])
    }
}
