import SwiftletModel

/// Why a storage operation failed.
public enum StoreError: Error, Equatable, Sendable {
    /// A record with the same key exists.
    case alreadyExists
    /// No record has the key.
    case notFound
    /// The backend failed; carries its explanation.
    case backend(String)
}

/// Durable storage of functions. SQLite implements it for a single node; a PostgreSQL implementation fills the
/// same interface for clusters. Every method is safe to call from any thread.
///
/// Functions use layers and share code blobs with them, so the same store keeps both.
public protocol FunctionStore: LayerStore {
    /// Adds a function. Throws ``StoreError/alreadyExists`` when the name is taken in that account and region.
    func insertFunction(_ record: FunctionRecord) throws

    /// The function with this name, or nil.
    func function(accountId: String, region: String, name: String) throws -> FunctionRecord?

    /// Up to `limit` functions whose names sort after `marker`, in name order.
    func listFunctions(
        accountId: String, region: String, after marker: String?, limit: Int
    ) throws
        -> [FunctionRecord]

    /// Reads a function, lets `change` modify it, and writes it back, atomically with respect to every other
    /// writer. `change` may throw to abandon the update. Throws ``StoreError/notFound`` when there is none.
    @discardableResult
    func updateFunction(
        accountId: String, region: String, name: String, _ change: (inout FunctionRecord) throws -> Void
    ) throws -> FunctionRecord

    /// Removes a function with all its published versions. Returns what `$LATEST` was and the versions removed,
    /// or nil when there was no such function.
    func deleteFunction(accountId: String, region: String, name: String) throws -> DeletedFunction?

    /// Publishes a version atomically: `decide` sees the function and its newest published version and returns
    /// the configuration to publish, or nil to keep the newest one (unchanged code and settings). Throws
    /// ``StoreError/notFound`` when there is no such function.
    func publishVersion(
        accountId: String, region: String, name: String,
        _ decide: (FunctionRecord, FunctionConfiguration?) throws -> FunctionConfiguration?
    ) throws -> FunctionConfiguration

    /// A published version, or nil.
    func version(accountId: String, region: String, name: String, version: Int) throws -> FunctionConfiguration?

    /// Up to `limit` published versions numbered above `after`, in order.
    func listVersions(
        accountId: String, region: String, name: String, after: Int, limit: Int
    ) throws
        -> [FunctionConfiguration]

    /// Removes one published version and returns it, or nil when there was none.
    func deleteVersion(accountId: String, region: String, name: String, version: Int) throws -> FunctionConfiguration?

    /// Adds an alias. Throws ``StoreError/alreadyExists`` when the function already has one with that name.
    func insertAlias(_ alias: FunctionAlias) throws

    /// The alias of a function with this name, or nil.
    func alias(accountId: String, region: String, functionName: String, name: String) throws -> FunctionAlias?

    /// Up to `limit` aliases of a function whose names sort after `marker`, in name order.
    func listAliases(
        accountId: String, region: String, functionName: String, after marker: String?, limit: Int
    ) throws -> [FunctionAlias]

    /// Reads an alias, lets `change` modify it, and writes it back atomically. `change` may throw to abandon the
    /// update. Throws ``StoreError/notFound`` when there is none.
    @discardableResult
    func updateAlias(
        accountId: String, region: String, functionName: String, name: String,
        _ change: (inout FunctionAlias) throws -> Void
    ) throws -> FunctionAlias

    /// Removes an alias and returns it, or nil when there was none.
    func deleteAlias(accountId: String, region: String, functionName: String, name: String) throws -> FunctionAlias?

    /// How many functions, function versions and layer versions, in any account and region, use the code with this
    /// digest, as their own code or as a layer they reference.
    func codeReferences(sha256Hex: String) throws -> Int

    /// Number of functions, and bytes of code stored for an account by functions, their versions and layer
    /// versions.
    func accountUsage(accountId: String) throws -> AccountUsage

    /// Sets (or, with nil, removes) a function's reserved concurrency, atomically with `check`, which is given the
    /// total the account's other functions in the region reserve and throws to refuse the change. Throws
    /// ``StoreError/notFound`` when there is no such function.
    func reserveConcurrency(
        accountId: String, region: String, name: String, _ value: Int?, check: (Int) throws -> Void
    ) throws

    /// The concurrency reserved by all of an account's functions in a region.
    func reservedConcurrencyTotal(accountId: String, region: String) throws -> Int

    /// Adds or replaces the provisioned concurrency configuration of a version or alias, atomically with `check`,
    /// which sees the function's other configurations and throws to refuse.
    func putProvisionedConcurrency(
        _ config: ProvisionedConcurrencyConfig, check: ([ProvisionedConcurrencyConfig]) throws -> Void
    ) throws

    /// The configurations of one function (every qualifier), or of every function when `functionName` is nil, in
    /// function and qualifier order.
    func provisionedConcurrency(functionName: String?) throws -> [ProvisionedConcurrencyConfig]

    /// Adds or replaces the event invoke configuration of a qualifier of a function.
    func putEventInvokeConfig(_ config: EventInvokeConfig) throws

    /// The event invoke configurations of a function, in qualifier order.
    func eventInvokeConfigs(accountId: String, region: String, functionName: String) throws -> [EventInvokeConfig]

    /// Removes one event invoke configuration and returns it, or nil when there was none.
    func deleteEventInvokeConfig(
        accountId: String, region: String, functionName: String, qualifier: String
    ) throws -> EventInvokeConfig?

    /// Adds or replaces an event source mapping, atomically with `check`, which sees every other mapping and throws
    /// to refuse (two mappings of one function to one queue).
    func putEventSourceMapping(_ mapping: EventSourceMapping, check: ([EventSourceMapping]) throws -> Void) throws

    /// Every event source mapping of every account, in UUID order.
    func eventSourceMappings() throws -> [EventSourceMapping]

    /// Removes one event source mapping and returns it, or nil when there was none.
    func deleteEventSourceMapping(uuid: String) throws -> EventSourceMapping?

    /// Removes one configuration and returns it, or nil when there was none.
    func deleteProvisionedConcurrency(
        accountId: String, region: String, functionName: String, qualifier: String
    ) throws -> ProvisionedConcurrencyConfig?
}

/// What an account stores.
public struct AccountUsage: Sendable, Equatable {
    public var functionCount: Int
    public var totalCodeSize: Int64

    public init(functionCount: Int, totalCodeSize: Int64) {
        self.functionCount = functionCount
        self.totalCodeSize = totalCodeSize
    }
}

/// What deleting a function removed.
public struct DeletedFunction: Sendable, Equatable {
    public var latest: FunctionRecord
    public var versions: [FunctionConfiguration]

    public init(latest: FunctionRecord, versions: [FunctionConfiguration]) {
        self.latest = latest
        self.versions = versions
    }

    /// Digests of all the code the function used, its own and its layers'.
    public var codeDigests: Set<String> {
        Set(([latest.configuration] + versions).flatMap(\.codeDigests))
    }
}

extension FunctionConfiguration {
    /// The digests of the function's zip and of its layers' zips.
    public var codeDigests: [String] {
        [code.sha256Hex] + layers.map(\.sha256Hex)
    }
}
