import Foundation
import SwiftletModel
import SwiftletRuntime
import SwiftletStore
import SwiftletSystem
import Synchronization

/// What the Lambda API needs from the node it runs in.
public struct LambdaServiceConfiguration: Sendable {
    /// The account every request works in until identities map keys to accounts.
    public var accountId: String = "000000000000"
    /// The region for requests that name none.
    public var region: String = "us-east-1"
    /// Quotas.
    public var limits = Limits()
    /// Base URL clients reach the node at, used when a request carries no `Host` header.
    public var endpoint: String = "http://127.0.0.1:9000"
    /// Seconds a `Code.Location` link stays valid.
    public var codeLinkLifetime: TimeInterval = 600

    public init() {}
}

/// The Lambda control API's state and collaborators; the operations are extensions, one file per group.
public final class LambdaService: Sendable {
    let configuration: LambdaServiceConfiguration
    let store: any FunctionStore
    let codeStore: any CodeStore
    let logger: Logger
    /// Signs `Code.Location` links so that only a caller who could read the function can download its code.
    let linkKey: [UInt8]
    /// Serializes the pairing of code blobs with the rows that reference them, so that a blob is never removed
    /// between another writer storing it and recording its use. Control-plane writes only; reads never take it.
    let codeLock = Mutex(())
    /// Serializes alias writes with version deletions, so that no alias is left pointing at a deleted version.
    /// Control-plane writes only; reads and invocations never take it.
    let aliasLock = Mutex(())
    /// Serializes reading the reserved total with handing it to the limiter. Control-plane writes only.
    let reservationLock = Mutex(())
    /// Runs invocations; nil on a node that only manages functions.
    let scheduler: Scheduler?
    /// Tells whether a runtime can run here, so that CreateFunction refuses what Invoke could never run.
    let runtimes: RuntimeResolver?
    /// Holds invocations to the account's and the functions' concurrency; nil on a node that runs none.
    let concurrency: ConcurrencyLimiter?
    /// Where asynchronous events wait; set once the node's queues are open (see ``attach(_:workers:)``).
    let asyncBox = Mutex<AsyncInvocations?>(nil)
    /// What reads the queues of event source mappings; set once the node's queues are open.
    let pollersBox = Mutex<EventSourcePollers?>(nil)

    public init(
        configuration: LambdaServiceConfiguration, store: any FunctionStore, codeStore: any CodeStore,
        linkKey: [UInt8], logger: Logger, scheduler: Scheduler? = nil, runtimes: RuntimeResolver? = nil,
        concurrency: ConcurrencyLimiter? = nil
    ) {
        self.concurrency = concurrency
        self.configuration = configuration
        self.store = store
        self.codeStore = codeStore
        self.linkKey = linkKey
        self.logger = logger
        self.scheduler = scheduler
        self.runtimes = runtimes
    }

    /// Throws when `runtime` has no interpreter or runtime client on this node.
    func checkRuntimeRuns(_ runtime: String?) throws(AWSError) {
        guard let runtime, let runtimes, let reason = runtimes.unavailability(of: runtime) else { return }
        throw .invalidParameterValue("The runtime \(runtime) cannot run on this node: \(reason).")
    }

    /// Stops the warm environments of a function after it changed or went away.
    /// With `version`, only that version's (a change of `$LATEST` leaves published versions running).
    func retireEnvironments(of name: String, in context: RequestContext, version: String? = nil) {
        scheduler?.retire(accountId: context.accountId, region: context.region, name: name, version: version)
    }

    var limits: Limits { configuration.limits }

    /// Runs a store call, turning a backend failure into a `ServiceException` and logging it.
    func storage<Result>(_ what: String, _ body: () throws -> Result) throws(AWSError) -> Result {
        do {
            return try body()
        } catch let error as AWSError {
            throw error
        } catch {
            logger.error("storage failed", [("store.operation", what), ("error.message", "\(error)")])
            throw .service("The node could not \(what); see the node's log.")
        }
    }

    /// The `Function not found` error for `name` (and `qualifier`) in the request's account and region.
    func functionNotFound(_ name: String, qualifier: String? = nil, in context: RequestContext) -> AWSError {
        .resourceNotFound(
            "Function not found: "
                + ARN.function(region: context.region, account: context.accountId, name: name, qualifier: qualifier))
    }

    /// Resolves a function name from a path, checking its account and region against the request's.
    func resolve(
        _ text: String, in context: RequestContext, maxLength: Int = 256
    ) throws(AWSError)
        -> FunctionReference
    {
        let reference = try FunctionReference.parse(text, maxLength: maxLength).get()
        if let region = reference.region, region != context.region {
            throw .resourceNotFound(
                "Functions from '\(region)' are not reachable in this region ('\(context.region)')")
        }
        if let account = reference.accountId, account != context.accountId {
            throw functionNotFound(reference.name, qualifier: reference.qualifier, in: context)
        }
        return reference
    }

    /// Resolves a name for an operation on the function itself, which takes no version or alias.
    func resolveUnqualified(_ text: String, in context: RequestContext) throws(AWSError) -> FunctionReference {
        let reference = try resolve(text, in: context, maxLength: 140)
        if let qualifier = reference.qualifier, qualifier != "$LATEST" {
            throw .invalidParameterValue(
                "This operation applies to the function, not to version or alias '\(qualifier)': "
                    + "name the function without a qualifier.")
        }
        return reference
    }

    /// Loads a function or answers `ResourceNotFoundException`.
    func load(_ reference: FunctionReference, in context: RequestContext) throws(AWSError) -> FunctionRecord {
        let record = try storage("read the function") {
            try store.function(accountId: context.accountId, region: context.region, name: reference.name)
        }
        guard let record else { throw functionNotFound(reference.name, in: context) }
        return record
    }
}
