import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem
import Synchronization

/// The node's HTTP entry point for the Lambda API: reads the credential scope, routes, runs the operation and
/// renders its answer or its AWS-shaped error.
public final class LambdaAPI: HTTPHandler {
    let service: LambdaService
    /// Flipped once the node is ready; `/health` answers 503 before.
    private let readiness: Readiness

    public init(service: LambdaService, readiness: Readiness) {
        self.service = service
        self.readiness = readiness
    }

    public func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let requestId = Identifier.uuid()
        let route = LambdaRoutes.match(method: request.method, path: request.path)
        if case .invoke(let name)? = route, !request.bodyTooLarge {
            // Invoke answers later, from whichever thread the function's answer arrives on.
            let context = self.context(for: request, requestId: requestId)
            do {
                try service.invoke(request, context, name: name, responder: responder)
            } catch {
                responder.respond(error.response(requestId: requestId))
            }
            return
        }
        if case .invokeAsync(let name)? = route, !request.bodyTooLarge {
            let context = self.context(for: request, requestId: requestId)
            do {
                try service.invokeAsync(request, context, name: name, responder: responder)
            } catch {
                responder.respond(error.response(requestId: requestId))
            }
            return
        }
        var response = answer(request, route: route, requestId: requestId)
        response.headers.set("x-amzn-RequestId", requestId)
        responder.respond(response)
    }

    private func context(for request: HTTPRequest, requestId: String) -> RequestContext {
        let scope = CredentialScope.from(request)
        return RequestContext(
            accountId: service.configuration.accountId, region: scope?.region ?? service.configuration.region,
            accessKeyId: scope?.accessKeyId, requestId: requestId)
    }

    func answer(_ request: HTTPRequest, requestId: String) -> HTTPResponse {
        answer(request, route: LambdaRoutes.match(method: request.method, path: request.path), requestId: requestId)
    }

    /// Answers a request whose route was already matched (nil when none matched).
    func answer(_ request: HTTPRequest, route: LambdaRoute?, requestId: String) -> HTTPResponse {
        guard let route else {
            return AWSError.unknownOperation(method: request.method, path: request.path).response(requestId: requestId)
        }
        if route == .health {
            return .json(
                readiness.isReady ? 200 : 503, .object([("status", .string(readiness.isReady ? "ok" : "starting"))]))
        }
        if request.bodyTooLarge {
            let limit: Int
            if case .invokeAsync = route {
                limit = service.limits.asynchronousPayloadBytes
            } else if case .invoke = route {
                limit = service.limits.synchronousPayloadBytes
            } else {
                limit = service.limits.controlRequestBytes
            }
            return AWSError.requestTooLarge(
                "Request must be smaller than \(limit) bytes for the \(route.operationName) operation"
            ).response(requestId: requestId)
        }

        let context = self.context(for: request, requestId: requestId)
        do {
            return try perform(route, request, context)
        } catch {
            return error.response(requestId: requestId)
        }
    }

    private func perform(
        _ route: LambdaRoute, _ request: HTTPRequest, _ context: RequestContext
    ) throws(AWSError)
        -> HTTPResponse
    {
        switch route {
        case .health: return .json(200, .object([("status", .string("ok"))]))
        case .createFunction: return try service.createFunction(request, context)
        case .listFunctions: return try service.listFunctions(request, context)
        case .getFunction(let name): return try service.getFunction(request, context, name: name)
        case .deleteFunction(let name): return try service.deleteFunction(request, context, name: name)
        case .getFunctionConfiguration(let name):
            return try service.getFunctionConfiguration(request, context, name: name)
        case .updateFunctionConfiguration(let name):
            return try service.updateFunctionConfiguration(request, context, name: name)
        case .updateFunctionCode(let name): return try service.updateFunctionCode(request, context, name: name)
        case .publishVersion(let name): return try service.publishVersion(request, context, name: name)
        case .invoke, .invokeAsync:
            // `handle` holds invocations open itself, and `answer` refuses an oversized one before routing here.
            preconditionFailure("Invoke is answered by handle(_:responder:)")
        case .listVersionsByFunction(let name): return try service.listVersionsByFunction(request, context, name: name)
        case .createAlias(let name): return try service.createAlias(request, context, name: name)
        case .listAliases(let name): return try service.listAliases(request, context, name: name)
        case .getAlias(let name, let alias): return try service.getAlias(context, name: name, alias: alias)
        case .updateAlias(let name, let alias):
            return try service.updateAlias(request, context, name: name, alias: alias)
        case .deleteAlias(let name, let alias): return try service.deleteAlias(context, name: name, alias: alias)
        case .getAccountSettings: return try service.getAccountSettings(context)
        case .putFunctionConcurrency(let name): return try service.putFunctionConcurrency(request, context, name: name)
        case .getFunctionConcurrency(let name): return try service.getFunctionConcurrency(context, name: name)
        case .deleteFunctionConcurrency(let name): return try service.deleteFunctionConcurrency(context, name: name)
        case .putEventInvokeConfig(let name): return try service.putEventInvokeConfig(request, context, name: name)
        case .updateEventInvokeConfig(let name):
            return try service.updateEventInvokeConfig(request, context, name: name)
        case .getEventInvokeConfig(let name): return try service.getEventInvokeConfig(request, context, name: name)
        case .deleteEventInvokeConfig(let name):
            return try service.deleteEventInvokeConfig(request, context, name: name)
        case .listEventInvokeConfigs(let name): return try service.listEventInvokeConfigs(request, context, name: name)
        case .putProvisionedConcurrency(let name):
            return try service.putProvisionedConcurrency(request, context, name: name)
        case .getProvisionedConcurrency(let name):
            if request.queryValue("List") == "ALL" {
                return try service.listProvisionedConcurrency(request, context, name: name)
            }
            return try service.getProvisionedConcurrency(request, context, name: name)
        case .deleteProvisionedConcurrency(let name):
            return try service.deleteProvisionedConcurrency(request, context, name: name)
        case .createEventSourceMapping: return try service.createEventSourceMapping(request, context)
        case .listEventSourceMappings: return try service.listEventSourceMappings(request, context)
        case .getEventSourceMapping(let uuid): return try service.getEventSourceMapping(context, uuid: uuid)
        case .updateEventSourceMapping(let uuid):
            return try service.updateEventSourceMapping(request, context, uuid: uuid)
        case .deleteEventSourceMapping(let uuid): return try service.deleteEventSourceMapping(context, uuid: uuid)
        case .listTags(let resource): return try service.listTags(context, resource: resource)
        case .tagResource(let resource): return try service.tagResource(request, context, resource: resource)
        case .untagResource(let resource): return try service.untagResource(request, context, resource: resource)
        case .downloadCode(let hex): return try service.downloadCode(request, hex: hex)
        case .listLayers: return try service.listLayersOrFindVersion(request, context)
        case .publishLayerVersion(let layer): return try service.publishLayerVersion(request, context, layer: layer)
        case .listLayerVersions(let layer): return try service.listLayerVersions(request, context, layer: layer)
        case .getLayerVersion(let layer, let version):
            return try service.getLayerVersion(request, context, layer: layer, version: version)
        case .deleteLayerVersion(let layer, let version):
            return try service.deleteLayerVersion(context, layer: layer, version: version)
        case .addLayerVersionPermission(let layer, let version):
            return try service.addLayerVersionPermission(request, context, layer: layer, version: version)
        case .getLayerVersionPolicy(let layer, let version):
            return try service.getLayerVersionPolicy(context, layer: layer, version: version)
        case .removeLayerVersionPermission(let layer, let version, let statementId):
            return try service.removeLayerVersionPermission(
                request, context, layer: layer, version: version, statementId: statementId)
        }
    }
}

/// Whether the node has finished starting.
public final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)

    public init() {}

    public var isReady: Bool { ready.load(ordering: .acquiring) }

    public func markReady() { ready.store(true, ordering: .releasing) }
}
