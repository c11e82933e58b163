import CMicroHTTPD
import Foundation
import Synchronization

/// Answers one request, now or later, from any thread.
///
/// A handler that answers before it returns gets the fastest path: the response is queued on the
/// connection's own thread. A handler that returns without answering holds the request open: the
/// connection is suspended (no thread waits on it) and resumed when ``respond(_:)`` is called.
public final class HTTPResponder: Sendable {
    /// Where the exchange stands. Transitions: handling -> answered (answer before return),
    /// handling -> suspended -> answered (answer later), anything -> finished.
    enum Phase {
        /// The handler is running on the connection's thread.
        case handling
        /// The handler returned without answering; the connection is suspended.
        case suspended
        /// A response waits to be queued by the connection's thread.
        case answered(HTTPResponse)
        /// The response was queued, or the connection is gone.
        case finished
    }

    private struct State {
        var phase: Phase = .handling
        var onAbandon: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    /// The libmicrohttpd connection; valid until the request-completed callback runs, after which `phase` is
    /// `.finished` and nothing touches it.
    nonisolated(unsafe) let connection: OpaquePointer?

    init(connection: OpaquePointer?) {
        self.connection = connection
    }

    /// Answers the request. Only the first call has an effect; later ones return false.
    @discardableResult
    public func respond(_ response: HTTPResponse) -> Bool {
        let (accepted, resume) = state.withLock { state -> (Bool, Bool) in
            switch state.phase {
            case .handling:
                state.phase = .answered(response)
                return (true, false)
            case .suspended:
                state.phase = .answered(response)
                return (true, true)
            case .answered, .finished:
                return (false, false)
            }
        }
        if resume, let connection {
            // The connection stays valid while suspended: libmicrohttpd completes it only after a resume.
            MHD_resume_connection(connection)
        }
        return accepted
    }

    /// Registers work to run if the exchange ends without an answer ever being queued: the connection failed or the
    /// client went away. (When the server stops, held requests are answered 503 instead, which is an answer.)
    public func onAbandon(_ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.onAbandon = action }
    }

    /// Called on the connection's thread when the handler returned. Returns the response to queue now, or nil
    /// after suspending the connection. Suspension happens under the lock so that a concurrent `respond` cannot
    /// resume before the suspend.
    func handlerReturned() -> HTTPResponse? {
        state.withLock { state in
            switch state.phase {
            case .answered(let response):
                state.phase = .finished
                return response
            case .handling:
                state.phase = .suspended
                if let connection { MHD_suspend_connection(connection) }
                return nil
            case .suspended, .finished:
                return nil
            }
        }
    }

    /// Called on the connection's thread after a resume: the response to queue.
    func takeAnswer() -> HTTPResponse? {
        state.withLock { state in
            guard case .answered(let response) = state.phase else { return nil }
            state.phase = .finished
            return response
        }
    }

    /// True while the handler returned without answering and the connection waits.
    var isSuspended: Bool {
        state.withLock { if case .suspended = $0.phase { return true } else { return false } }
    }

    /// Called when the connection completes; runs the abandon action if no answer was ever queued.
    func complete() {
        let abandon: (@Sendable () -> Void)? = state.withLock { state in
            let unanswered: Bool
            switch state.phase {
            case .handling, .suspended: unanswered = true
            case .answered, .finished: unanswered = false
            }
            state.phase = .finished
            let action = state.onAbandon
            state.onAbandon = nil
            return unanswered ? action : nil
        }
        abandon?()
    }
}
