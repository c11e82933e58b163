import Synchronization

/// Why an invocation was refused, in the words of the `Reason` field of Lambda's `TooManyRequestsException`.
public enum ThrottleReason: String, Error, Sendable, Equatable {
    /// The unreserved part of the account's concurrency is in use.
    case accountLimit = "ConcurrentInvocationLimitExceeded"
    /// The function's reserved concurrency is in use (or is 0).
    case reservedLimit = "ReservedFunctionConcurrentInvocationLimitExceeded"
}

/// Counts invocations in flight against the account's concurrency limit and each function's reservation, as Lambda
/// does: a function with reserved concurrency runs at most that many at once and always may run that many; every
/// other function shares what the reservations leave of the account's limit. Limits are per account and region.
///
/// The invoke path takes no lock here: counters are atomics, found through sharded tables as environment pools are.
// Limitation: concurrency is counted per node; nodes sharing a store would each admit up to the limit.
public final class ConcurrencyLimiter: Sendable {
    /// Concurrent executions of an account in one region.
    public let accountLimit: Int
    /// Reads how much an account reserves in a region, the first time the region is used.
    private let loadReserved: @Sendable (_ accountId: String, _ region: String) -> Int
    private let scopes: [Shard<Scope>]
    private let functions: [Shard<InFlight>]
    private static let shardCount = 16

    /// How many invocations of one kind run now: of one function with a reservation, or unreserved ones.
    final class InFlight: Sendable {
        let count = Atomic<Int>(0)
    }

    /// One account in one region: how much of it is reserved, and how many unreserved invocations run.
    final class Scope: Sendable {
        let reserved: Atomic<Int>
        let unreserved = InFlight()

        init(reserved: Int) { self.reserved = Atomic(reserved) }
    }

    private final class Shard<Value: Sendable>: Sendable {
        let table = Mutex<[String: Value]>([:])
    }

    /// One admitted invocation; ``release()`` it exactly once when the invocation ends.
    public struct Permit: Sendable {
        let slot: InFlight

        /// Gives the slot back.
        public func release() { slot.count.subtract(1, ordering: .releasing) }
    }

    public init(accountLimit: Int, loadReserved: @escaping @Sendable (_ accountId: String, _ region: String) -> Int) {
        self.accountLimit = accountLimit
        self.loadReserved = loadReserved
        scopes = (0..<Self.shardCount).map { _ in Shard() }
        functions = (0..<Self.shardCount).map { _ in Shard() }
    }

    /// Admits an invocation of a function whose reservation is `reserved` (nil: none), or says why not.
    public func acquire(
        accountId: String, region: String, name: String, reserved: Int?
    ) -> Result<Permit, ThrottleReason> {
        if let reserved {
            let counter = function(accountId: accountId, region: region, name: name)
            return Self.take(counter, below: reserved) ? .success(Permit(slot: counter)) : .failure(.reservedLimit)
        }
        let scope = scope(accountId: accountId, region: region)
        let unreserved = accountLimit - scope.reserved.load(ordering: .relaxed)
        return Self.take(scope.unreserved, below: unreserved)
            ? .success(Permit(slot: scope.unreserved)) : .failure(.accountLimit)
    }

    /// Records that an account's functions in a region now reserve `total` in all.
    public func setReserved(_ total: Int, accountId: String, region: String) {
        scope(accountId: accountId, region: region).reserved.store(total, ordering: .relaxed)
    }

    /// Invocations of a function with a reservation in flight now, for tests and metrics.
    public func inFlight(accountId: String, region: String, name: String) -> Int {
        function(accountId: accountId, region: region, name: name).count.load(ordering: .relaxed)
    }

    /// Unreserved invocations in flight now, for tests and metrics.
    public func unreservedInFlight(accountId: String, region: String) -> Int {
        scope(accountId: accountId, region: region).unreserved.count.load(ordering: .relaxed)
    }

    private static func take(_ slots: InFlight, below limit: Int) -> Bool {
        var current = slots.count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = slots.count.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiring)
            if exchanged { return true }
            current = original
        }
        return false
    }

    private func scope(accountId: String, region: String) -> Scope {
        let key = "\(accountId)\u{1}\(region)"
        return Self.shard(scopes, key).table.withLock { table in
            if let scope = table[key] { return scope }
            let scope = Scope(reserved: loadReserved(accountId, region))
            table[key] = scope
            return scope
        }
    }

    private func function(accountId: String, region: String, name: String) -> InFlight {
        let key = "\(accountId)\u{1}\(region)\u{1}\(name)"
        return Self.shard(functions, key).table.withLock { table in
            if let counter = table[key] { return counter }
            let counter = InFlight()
            table[key] = counter
            return counter
        }
    }

    private static func shard<Value>(_ shards: [Shard<Value>], _ key: String) -> Shard<Value> {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shardCount))]
    }
}
