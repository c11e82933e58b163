import SwiftletHTTP
import SwiftletModel
import SwiftletRuntime
import SwiftletStore
import SwiftletSystem

extension LambdaService {
    /// `PUT /2017-10-31/functions/{name}/concurrency`: reserves concurrency for a function, which both caps it and
    /// sets that much of the account's limit aside for it; 0 stops it from running.
    ///
    /// Errors: `ResourceNotFoundException`, `ValidationException` (missing or negative value),
    /// `InvalidParameterValueException` (the account's unreserved concurrency would fall below its minimum).
    func putFunctionConcurrency(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try resolveUnqualified(name, in: context)
        let body = try JSONBody(request.body)
        guard
            let reserved = try body.int(
                "ReservedConcurrentExecutions", in: 0...Int.max, field: "reservedConcurrentExecutions")
        else {
            throw .validation([.missing("reservedConcurrentExecutions")])
        }
        let reservable = limits.concurrentExecutions - limits.minimumUnreservedConcurrency
        try setReservation(reserved, of: reference, in: context) { others in
            guard others + reserved <= reservable else {
                throw AWSError.invalidParameterValue(
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                        + "UnreservedConcurrentExecution below its minimum value of "
                        + "[\(limits.minimumUnreservedConcurrency)].")
            }
        }
        return .json(200, .object([("ReservedConcurrentExecutions", .integer(Int64(reserved)))]))
    }

    /// `GET /2019-09-30/functions/{name}/concurrency`: the function's reservation, or an empty object for none.
    func getFunctionConcurrency(_ context: RequestContext, name: String) throws(AWSError) -> HTTPResponse {
        let record = try load(try resolveUnqualified(name, in: context), in: context)
        guard let reserved = record.reservedConcurrency else { return .json(200, .object([])) }
        return .json(200, .object([("ReservedConcurrentExecutions", .integer(Int64(reserved)))]))
    }

    /// `DELETE /2017-10-31/functions/{name}/concurrency`: returns the function to the unreserved pool.
    func deleteFunctionConcurrency(_ context: RequestContext, name: String) throws(AWSError) -> HTTPResponse {
        try setReservation(nil, of: try resolveUnqualified(name, in: context), in: context) { _ in }
        return HTTPResponse(status: 204)
    }

    /// Stores a function's reservation (nil: none) if `check`, given what the others reserve, lets it, then tells
    /// the limiter.
    private func setReservation(
        _ value: Int?, of reference: FunctionReference, in context: RequestContext, check: (Int) throws -> Void
    ) throws(AWSError) {
        do {
            try store.reserveConcurrency(
                accountId: context.accountId, region: context.region, name: reference.name, value, check: check)
        } catch let error as AWSError {
            throw error
        } catch StoreError.notFound {
            throw functionNotFound(reference.name, in: context)
        } catch {
            logger.error("storage failed", [("store.operation", "set reservation"), ("error.message", "\(error)")])
            throw .service("The node could not change the function's reserved concurrency; see the node's log.")
        }
        refreshReservations(context)
    }

    /// Tells the limiter what the account's functions in the request's region now reserve. The store is read under
    /// a lock, so that of two changes racing, the limiter ends with the later total.
    func refreshReservations(_ context: RequestContext) {
        guard let concurrency else { return }
        reservationLock.withLock { _ in
            do {
                let total = try store.reservedConcurrencyTotal(accountId: context.accountId, region: context.region)
                concurrency.setReserved(total, accountId: context.accountId, region: context.region)
            } catch {
                logger.error(
                    "storage failed", [("store.operation", "read reservations"), ("error.message", "\(error)")])
            }
        }
    }

    /// Concurrency the account's functions in the request's region have not reserved.
    func unreservedConcurrency(_ context: RequestContext) throws(AWSError) -> Int {
        let reserved = try storage("read the reserved concurrency") {
            try store.reservedConcurrencyTotal(accountId: context.accountId, region: context.region)
        }
        return limits.concurrentExecutions - reserved
    }

    /// Admits an invocation of `record` under the concurrency limits, or answers 429 `TooManyRequestsException`.
    func admit(_ record: FunctionRecord, in context: RequestContext) throws(AWSError) -> ConcurrencyLimiter.Permit? {
        guard let concurrency else { return nil }
        switch concurrency.acquire(
            accountId: context.accountId, region: context.region, name: record.configuration.name,
            reserved: record.reservedConcurrency)
        {
        case .success(let permit): return permit
        case .failure(let reason): throw .tooManyRequests(reason: reason.rawValue)
        }
    }
}
