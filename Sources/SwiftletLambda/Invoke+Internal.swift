import Foundation
import SwiftletModel
import SwiftletRuntime

extension LambdaService {
    /// Runs one invocation the node makes itself (an asynchronous event, a batch of queue messages) as a
    /// synchronous call runs: the same concurrency admission and scheduler, with the context's request id.
    /// - Returns: the function's result, or nil when the invocation was throttled (by a concurrency limit or a node
    ///   with no room) and nothing ran; a node that runs no functions answers as if throttled.
    func invokeInternally(
        _ qualified: QualifiedFunction, payload: Data, in context: RequestContext
    ) async -> InvocationResult? {
        guard let scheduler else { return nil }
        let record = qualified.record
        let permit: ConcurrencyLimiter.Permit?
        do {
            permit = try admit(record, in: context)
        } catch {
            return nil
        }
        var request = invocationRequest(qualified, payload: payload, in: context)
        request.requestId = context.requestId
        let result = await withCheckedContinuation { continuation in
            scheduler.invoke(request) { continuation.resume(returning: $0) }
        }
        permit?.release()
        return result.throttled ? nil : result
    }

    /// What the scheduler runs for `qualified` with `payload`, invoked under the ARN it was named by.
    func invocationRequest(
        _ qualified: QualifiedFunction, payload: Data, in context: RequestContext
    ) -> InvocationRequest {
        let configuration = qualified.record.configuration
        return InvocationRequest(
            accountId: context.accountId, region: context.region, configuration: configuration,
            invokedFunctionArn: ARN.function(
                region: context.region, account: context.accountId, name: configuration.name,
                qualifier: qualified.qualifier),
            payload: payload, routesOutside: TagRules.routesOutside(qualified.record.tags))
    }
}
