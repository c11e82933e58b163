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
public protocol FunctionStore: Sendable {
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

    /// Removes a function and returns what it was, or nil when there was none.
    func deleteFunction(accountId: String, region: String, name: String) throws -> FunctionRecord?

    /// How many functions, in any account, use the code with this digest.
    func codeReferences(sha256Hex: String) throws -> Int

    /// Number of functions and bytes of code stored for an account.
    func accountUsage(accountId: String) throws -> AccountUsage
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
