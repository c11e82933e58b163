import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem

extension LambdaService {
    /// `PUT /2019-09-30/functions/{name}/provisioned-concurrency?Qualifier=`: keeps that many environments of a
    /// published version (or of an alias's version) initialized; answers 202 `IN_PROGRESS` at once.
    ///
    /// Errors: `ResourceNotFoundException`, `ValidationException` (no qualifier, fewer than 1),
    /// `InvalidParameterValueException` (`$LATEST`, more than the reservation or the unreserved pool allows),
    /// `ResourceConflictException` (the version is provisioned through another qualifier already).
    func putProvisionedConcurrency(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let (qualified, qualifier) = try provisionedTarget(request, context, name: name)
        let body = try JSONBody(request.body)
        guard
            let requested = try body.int(
                "ProvisionedConcurrentExecutions", in: 1...Int.max, field: "provisionedConcurrentExecutions")
        else {
            throw .validation([.missing("provisionedConcurrentExecutions")])
        }
        let record = qualified.record
        let version = record.configuration.version
        let config = ProvisionedConcurrencyConfig(
            accountId: context.accountId, region: context.region, functionName: record.configuration.name,
            qualifier: qualifier, requested: requested, lastModified: Date())
        let unreserved = try unreservedConcurrency(context)
        do {
            try store.putProvisionedConcurrency(config) { others in
                for other in others where try self.provisionedVersion(of: other, in: context) == version {
                    throw AWSError.resourceConflict(
                        "Version \(version) already has provisioned concurrency through qualifier "
                            + "'\(other.qualifier)'; delete that configuration first.")
                }
                let total = others.reduce(requested) { $0 + $1.requested }
                if let reserved = record.reservedConcurrency {
                    guard total <= reserved else {
                        throw AWSError.invalidParameterValue(
                            "Requested Provisioned Concurrency should not be greater than the "
                                + "reservedConcurrentExecution for function (\(reserved)).")
                    }
                } else if total > unreserved - limits.minimumUnreservedConcurrency {
                    throw AWSError.invalidParameterValue(
                        "Requested Provisioned Concurrency exceeds the account's UnreservedConcurrentExecution less "
                            + "its minimum of [\(limits.minimumUnreservedConcurrency)]; reserve concurrency for "
                            + "the function first.")
                }
            }
        } catch let error as AWSError {
            throw error
        } catch {
            logger.error("storage failed", [("store.operation", "put provisioned"), ("error.message", "\(error)")])
            throw .service("The node could not store the provisioned concurrency; see the node's log.")
        }
        applyProvisioned(record.configuration.name, in: context)
        return .json(202, provisionedDocument(config, version: version, withArn: false, in: context))
    }

    /// `GET /2019-09-30/functions/{name}/provisioned-concurrency?Qualifier=`: the configuration and how many of its
    /// environments are ready.
    func getProvisionedConcurrency(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let (qualified, qualifier) = try provisionedTarget(request, context, name: name)
        let config = try storage("read provisioned concurrency") {
            try store.provisionedConcurrency(functionName: qualified.record.configuration.name).first {
                $0.accountId == context.accountId && $0.region == context.region && $0.qualifier == qualifier
            }
        }
        guard let config else { throw Self.provisionedNotFound }
        return .json(
            200,
            provisionedDocument(config, version: qualified.record.configuration.version, withArn: false, in: context))
    }

    /// `DELETE /2019-09-30/functions/{name}/provisioned-concurrency?Qualifier=`: stops keeping environments ready;
    /// those already running become on-demand ones.
    func deleteProvisionedConcurrency(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let (qualified, qualifier) = try provisionedTarget(request, context, name: name)
        let functionName = qualified.record.configuration.name
        let removed = try storage("delete provisioned concurrency") {
            try store.deleteProvisionedConcurrency(
                accountId: context.accountId, region: context.region, functionName: functionName, qualifier: qualifier)
        }
        guard removed != nil else { throw Self.provisionedNotFound }
        applyProvisioned(functionName, in: context)
        return HTTPResponse(status: 204)
    }

    /// `GET /2019-09-30/functions/{name}/provisioned-concurrency?List=ALL`: every configuration of the function.
    func listProvisionedConcurrency(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let record = try load(try resolveUnqualified(name, in: context), in: context)
        let all = try storage("list provisioned concurrency") {
            try store.provisionedConcurrency(functionName: record.configuration.name).filter {
                $0.accountId == context.accountId && $0.region == context.region
            }
        }
        let page = try qualifierPage(all, request) { $0.qualifier }
        let documents = page.items.map { config in
            let version = (try? provisionedVersion(of: config, in: context)) ?? config.qualifier
            return provisionedDocument(config, version: version, withArn: true, in: context)
        }
        return .json(
            200, .members([("ProvisionedConcurrencyConfigs", .array(documents)), ("NextMarker", page.nextMarker)]))
    }

    /// Tells the scheduler how many environments each published version of `functionName` should keep ready, from
    /// the stored configurations (an alias's count goes to the version it names).
    // Limitation: provisioned concurrency on a weighted alias goes to its main version; AWS splits it by weight.
    func applyProvisioned(_ functionName: String, in context: RequestContext) {
        guard let scheduler else { return }
        do {
            guard
                let record = try store.function(
                    accountId: context.accountId, region: context.region, name: functionName)
            else {
                return
            }
            var counts: [Int: Int] = [:]
            for config in try store.provisionedConcurrency(functionName: functionName)
            where config.accountId == context.accountId && config.region == context.region {
                guard let version = Int(try provisionedVersion(of: config, in: context)) else { continue }
                counts[version, default: 0] += config.requested
            }
            var targets: [(configuration: FunctionConfiguration, count: Int)] = []
            for (version, count) in counts.sorted(by: { $0.key < $1.key }) {
                guard
                    let configuration = try store.version(
                        accountId: context.accountId, region: context.region, name: functionName, version: version)
                else { continue }
                targets.append((configuration, count))
            }
            scheduler.provision(
                accountId: context.accountId, region: context.region, name: functionName,
                routesOutside: TagRules.routesOutside(record.tags), targets: targets)
        } catch {
            logger.error(
                "could not apply provisioned concurrency",
                [("function.name", functionName), ("error.message", "\(error)")])
        }
    }

    /// Applies every stored configuration, for a node that is starting.
    public func restoreProvisioned() {
        let configs = (try? store.provisionedConcurrency(functionName: nil)) ?? []
        var seen = Set<String>()
        for config in configs
        where seen.insert("\(config.accountId)\u{1}\(config.region)\u{1}\(config.functionName)").inserted {
            applyProvisioned(
                config.functionName,
                in: RequestContext(accountId: config.accountId, region: config.region, requestId: "node-start"))
        }
    }

    // MARK: - Helpers

    private static let provisionedNotFound = AWSError(
        type: "ProvisionedConcurrencyConfigNotFoundException", status: 404,
        message: "No Provisioned Concurrency Config found for this function", bodyStyle: .typeAndLowercaseMessage)

    /// The version or alias a request names, which must be published (not `$LATEST`).
    private func provisionedTarget(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError) -> (QualifiedFunction, String) {
        guard let qualifier = request.queryValue("Qualifier") else { throw .validation([.missing("qualifier")]) }
        let qualified = try loadQualified(name, qualifier: qualifier, in: context)
        guard let effective = qualified.qualifier, effective != "$LATEST",
            qualified.record.configuration.version != "$LATEST"
        else {
            throw .invalidParameterValue(
                "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
        }
        return (qualified, effective)
    }

    /// The version a configuration keeps ready: its qualifier, or the version its alias names.
    fileprivate func provisionedVersion(
        of config: ProvisionedConcurrencyConfig, in context: RequestContext
    ) throws
        -> String
    {
        if Int(config.qualifier) != nil { return config.qualifier }
        let alias = try store.alias(
            accountId: context.accountId, region: context.region, functionName: config.functionName,
            name: config.qualifier)
        return alias?.functionVersion ?? config.qualifier
    }

    private func provisionedDocument(
        _ config: ProvisionedConcurrencyConfig, version: String, withArn: Bool, in context: RequestContext
    ) -> JSONValue {
        let ready =
            scheduler?.provisionedReady(
                accountId: context.accountId, region: context.region, name: config.functionName, version: version) ?? 0
        let available = min(ready, config.requested)
        return .members([
            ("FunctionArn", withArn ? .string(config.functionArn) : nil),
            ("RequestedProvisionedConcurrentExecutions", .integer(Int64(config.requested))),
            ("AvailableProvisionedConcurrentExecutions", .integer(Int64(available))),
            ("AllocatedProvisionedConcurrentExecutions", .integer(Int64(available))),
            ("Status", .string(available >= config.requested ? "READY" : "IN_PROGRESS")),
            ("LastModified", .string(Timestamp.lambda(config.lastModified))),
        ])
    }
}
