import SwiftletModel

/// Durable storage of layers: their versions and the permission policy of each version. Keys are
/// `(accountId, region, name)` and a version number. Every method is safe to call from any thread.
///
/// Layers share the code blobs and the reference count of functions (``FunctionStore/codeReferences(sha256Hex:)``),
/// which is why every ``FunctionStore`` is also a `LayerStore`.
public protocol LayerStore: Sendable {
    /// Publishes `version` under the layer's next number, creating the layer on its first version, in one
    /// transaction. Numbers come from a counter kept with the layer, so a deleted version's number is never handed
    /// out again. Returns the version as stored, with its number.
    func publishLayerVersion(_ version: LayerVersion) throws -> LayerVersion

    /// One version, or nil.
    func layerVersion(accountId: String, region: String, name: String, version: Int) throws -> LayerVersion?

    /// Up to `limit` versions of one layer numbered below `before` (every version when nil) that pass `filter`,
    /// newest first.
    func listLayerVersions(
        accountId: String, region: String, name: String, before: Int?, matching filter: LayerFilter, limit: Int
    ) throws -> [LayerVersion]

    /// For each layer whose name sorts after `marker`, in name order, its newest version that passes `filter`;
    /// layers without one are skipped. Up to `limit` entries.
    func listLatestLayerVersions(
        accountId: String, region: String, after marker: String?, matching filter: LayerFilter, limit: Int
    ) throws -> [LayerVersion]

    /// Removes one version and its policy; returns it, or nil when there was none. The layer's version counter
    /// stays.
    func deleteLayerVersion(accountId: String, region: String, name: String, version: Int) throws -> LayerVersion?

    /// The version's policy (without statements when none were added), or nil when the version does not exist.
    func layerVersionPolicy(
        accountId: String, region: String, name: String, version: Int
    ) throws
        -> LayerVersionPolicy?

    /// Reads a version's policy, lets `change` modify it, and writes it back, atomically with respect to every other
    /// writer. `change` may throw to abandon the update; the error propagates unchanged. Throws
    /// ``StoreError/notFound`` when the version does not exist.
    @discardableResult
    func updateLayerVersionPolicy(
        accountId: String, region: String, name: String, version: Int,
        _ change: (inout LayerVersionPolicy) throws -> Void
    ) throws -> LayerVersionPolicy
}
