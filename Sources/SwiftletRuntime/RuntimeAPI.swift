import Foundation
import SwiftletHTTP
import SwiftletSystem

/// The Lambda Runtime API (`/2018-06-01/runtime/...`) that every environment's runtime client talks to. Each
/// environment reaches it at an endpoint of its own, so the port a request arrived on says who is asking: an
/// environment can only ever see and answer its own invocations.
public final class RuntimeAPI: HTTPHandler {
    let scheduler: Scheduler
    /// Largest response a runtime may post, in bytes (AWS's figure, 100 bytes over 6 MB).
    public static let maxResponseBytes = 6_291_556

    public init(scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    public func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let key = request.connectionTag ?? Int(request.localPort)
        guard let environment = scheduler.endpoints?.environment(forKey: key) else {
            responder.respond(Self.error(403, "Forbidden", "This endpoint belongs to no running environment."))
            return
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "2018-06-01", parts[1] == "runtime" else {
            responder.respond(Self.error(404, "InvalidPath", "No Runtime API operation at \(request.path)."))
            return
        }
        let operation = Array(parts.dropFirst(2))
        let method = request.method
        if method == "GET", operation == ["invocation", "next"] {
            scheduler.nextRequested(by: environment, responder: responder)
        } else if method == "POST", operation.count == 3, operation[0] == "invocation", operation[2] == "response" {
            responder.respond(scheduler.responded(by: environment, requestId: operation[1], request: request))
        } else if method == "POST", operation.count == 3, operation[0] == "invocation", operation[2] == "error" {
            responder.respond(scheduler.errored(by: environment, requestId: operation[1], request: request))
        } else if method == "POST", operation == ["init", "error"] {
            responder.respond(scheduler.initFailed(environment, request: request))
        } else {
            responder.respond(Self.error(404, "InvalidPath", "No Runtime API operation at \(method) \(request.path)."))
        }
    }

    /// The Runtime API's error shape: `{"errorMessage": ..., "errorType": ...}`.
    static func error(_ status: Int, _ type: String, _ message: String) -> HTTPResponse {
        .json(status, .object([("errorMessage", .string(message)), ("errorType", .string(type))]))
    }

    static let accepted = HTTPResponse.json(202, .object([("status", .string("OK"))]))
}

extension Scheduler {
    /// `GET /invocation/next`: hand over a waiting invocation, or hold the request until one comes.
    func nextRequested(by environment: Environment, responder: HTTPResponder) {
        let pool = environment.pool
        enum Action {
            case deliver(Invocation, Double?)
            case hold
            case stop
            case unanswered(Invocation)
            case gone
        }
        var initializedAhead: Double?
        let (action, abandoned) = pool.state.withLock { state -> (Action, Invocation?) in
            guard var slot = state.slots[environment.id], slot.phase != .dead else { return (.gone, nil) }
            if slot.phase == .starting {
                slot.initDurationMs = environment.ageMilliseconds
                if slot.provisioned {
                    // Its init is reported now, not with the invocation that finds it ready.
                    slot.initReported = true
                    initializedAhead = slot.initDurationMs
                } else {
                    state.starting -= 1
                }
            }
            if slot.phase == .finishing { state.finishing -= 1 }
            // A runtime that asks again without answering leaves its invocation unanswered.
            let abandoned = slot.current
            slot.current = nil
            slot.timer?.cancel()
            slot.timer = nil
            if !state.pending.isEmpty {
                let invocation = state.pending.removeFirst()
                slot.phase = .busy
                slot.current = invocation
                let initDuration = slot.initReported ? nil : slot.initDurationMs
                slot.initReported = true
                state.slots[environment.id] = slot
                return (.deliver(invocation, initDuration), abandoned)
            }
            if state.retired {
                slot.phase = .dead
                state.slots[environment.id] = slot
                return (.stop, abandoned)
            }
            slot.phase = .idle
            slot.heldNext = responder
            slot.idleSince = DispatchTime.now().uptimeNanoseconds
            state.slots[environment.id] = slot
            state.idle.append(environment.id)
            return (.hold, abandoned)
        }
        if let initializedAhead { environment.platformLine(PlatformLog.initReport(durationMs: initializedAhead)) }
        if let abandoned, !abandoned.isFinished {
            let message =
                "RequestId: \(abandoned.id) Error: the runtime asked for the next event without answering this one"
            complete(
                abandoned, environment: environment, pool: pool,
                payload: Invocation.errorDocument(type: "Runtime.NoResponse", message: message),
                functionError: "Unhandled", status: "error", errorType: "Runtime.NoResponse")
        }
        switch action {
        case .deliver(let invocation, let initDuration):
            deliver(invocation, to: environment, in: pool, next: responder, initDuration: initDuration)
        case .hold:
            break
        case .stop:
            responder.respond(.text(410, "this environment is being stopped"))
            environment.sandboxed?.terminate()
        case .unanswered, .gone:
            responder.respond(RuntimeAPI.error(403, "InvalidStateTransition", "This environment is shutting down."))
        }
    }

    /// `POST /invocation/{id}/response`.
    func responded(by environment: Environment, requestId: String, request: HTTPRequest) -> HTTPResponse {
        guard let invocation = takeCurrent(environment, requestId: requestId) else {
            return RuntimeAPI.error(400, "InvalidRequestID", "Invalid request ID")
        }
        if request.bodyTooLarge {
            let message =
                "Response payload size exceeded maximum allowed payload size (\(RuntimeAPI.maxResponseBytes) bytes)."
            complete(
                invocation, environment: environment, pool: environment.pool,
                payload: Invocation.errorDocument(type: "Function.ResponseSizeTooLarge", message: message),
                functionError: "Unhandled", status: "error", errorType: "Function.ResponseSizeTooLarge")
            return RuntimeAPI.error(
                413, "RequestEntityTooLarge",
                "Exceeded maximum allowed payload size (\(RuntimeAPI.maxResponseBytes) bytes).")
        }
        complete(
            invocation, environment: environment, pool: environment.pool, payload: request.body, functionError: nil)
        return RuntimeAPI.accepted
    }

    /// `POST /invocation/{id}/error`: the function failed; its runtime's error document is the answer.
    func errored(by environment: Environment, requestId: String, request: HTTPRequest) -> HTTPResponse {
        guard let invocation = takeCurrent(environment, requestId: requestId) else {
            return RuntimeAPI.error(400, "InvalidRequestID", "Invalid request ID")
        }
        let type = request.headers["Lambda-Runtime-Function-Error-Type"]
        complete(
            invocation, environment: environment, pool: environment.pool,
            payload: Self.errorDocument(request.body, type: type), functionError: "Unhandled", status: "error",
            errorType: type ?? "Unhandled")
        return RuntimeAPI.accepted
    }

    /// `POST /init/error`: the runtime could not start the function; the environment is stopped, and the
    /// invocation it was started for gets the error.
    func initFailed(_ environment: Environment, request: HTTPRequest) -> HTTPResponse {
        let document = Self.errorDocument(request.body, type: request.headers["Lambda-Runtime-Function-Error-Type"])
        let accepted = environment.pool.state.withLock { state -> Bool in
            guard state.slots[environment.id]?.phase == .starting else { return false }
            state.slots[environment.id]?.initError = document
            return true
        }
        guard accepted else {
            return RuntimeAPI.error(403, "InvalidStateTransition", "Init errors can only be reported during init.")
        }
        environment.sandboxed?.terminate()
        return RuntimeAPI.accepted
    }

    /// The invocation `requestId` if it is the environment's current one, taken so that only one answer counts.
    private func takeCurrent(_ environment: Environment, requestId: String) -> Invocation? {
        environment.pool.state.withLock { state -> Invocation? in
            guard var slot = state.slots[environment.id], let current = slot.current, current.id == requestId,
                slot.phase == .busy
            else { return nil }
            slot.timer?.cancel()
            slot.timer = nil
            slot.phase = .finishing
            state.finishing += 1
            state.slots[environment.id] = slot
            return current.isFinished ? nil : current
        }
    }

    /// The runtime's error body when it is JSON, else a document built from the error type header.
    static func errorDocument(_ body: Data, type: String?) -> Data {
        if case .object = (try? JSONValue.parse(body)) { return body }
        let message = String(decoding: body.prefix(4096), as: UTF8.self)
        return Invocation.errorDocument(type: type ?? "Runtime.Unknown", message: message)
    }
}
