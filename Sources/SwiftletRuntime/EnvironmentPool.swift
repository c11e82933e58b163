import Dispatch
import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem
import Synchronization

/// The environments of one function version and revision, and the invocations waiting for one.
///
/// Each environment goes through:
///
///     starting ──(first next)──► idle ◄──(next)── finishing ◄──(answer)── busy
///        │                        │  └──────────────────(invocation)──────────────►┘
///        └──(exit, init error)──► dead ◄──(exit, timeout, retired, idle too long)
///
/// Every decision is taken under the pool's lock and acted upon after it, so no lock is held across a response,
/// a kill or a log write.
final class EnvironmentPool: Sendable {
    enum Phase {
        case starting
        case idle
        case busy
        /// Answered its invocation and will ask for the next one any moment: an invocation arriving now waits for
        /// it rather than starting another environment.
        case finishing
        case dead
    }

    struct Slot {
        let environment: Environment
        var phase: Phase = .starting
        var heldNext: HTTPResponder?
        var current: Invocation?
        var currentStartedAt: UInt64 = 0
        var timer: DispatchSourceTimer?
        var initDurationMs: Double?
        var initReported = false
        var initError: Data?
        var idleSince: UInt64 = 0
        /// Kept initialized by a provisioned concurrency configuration: never reaped for idleness, replaced when
        /// it dies, and not counted in `starting` (no invocation waits for it).
        var provisioned = false
        /// Idle and frozen: its processes do not run until the next invocation thaws them.
        var frozen = false
        /// Its sandbox could not freeze it; not tried again.
        var unfreezable = false
        /// Its invocation ran past the timeout and is being answered `Sandbox.Timedout`.
        var timedOut = false
    }

    struct State {
        var slots: [String: Slot] = [:]
        /// Idle environments, the most recently used last.
        var idle: [String] = []
        var pending: [Invocation] = []
        var starting = 0
        /// Environments in `finishing`.
        var finishing = 0
        var retired = false
        /// Provisioned environments to keep, and how many of them are being launched.
        var provisionedTarget = 0
        var provisionedLaunching = 0

        /// Provisioned environments alive or being launched.
        var provisionedCount: Int {
            provisionedLaunching + slots.values.count { $0.provisioned && $0.phase != .dead }
        }

        /// Provisioned environments whose runtime has finished init.
        var provisionedReady: Int {
            slots.values.count { $0.provisioned && [.idle, .busy, .finishing].contains($0.phase) }
        }
    }

    let key: String
    let configuration: FunctionConfiguration
    let accountId: String
    let region: String
    /// Whether the environments' network reaches outside (see ``InvocationRequest/routesOutside``).
    let routesOutside: Bool
    /// Mutable state; `DispatchSourceTimer` is thread-safe, which makes the slots safe to hold here.
    let state = Mutex<State>(State())

    init(key: String, configuration: FunctionConfiguration, accountId: String, region: String, routesOutside: Bool) {
        self.key = key
        self.configuration = configuration
        self.accountId = accountId
        self.region = region
        self.routesOutside = routesOutside
    }

    var timeoutSeconds: Int { configuration.timeout }
}

extension EnvironmentPool.Slot: @unchecked Sendable {}
extension EnvironmentPool.State: @unchecked Sendable {}
