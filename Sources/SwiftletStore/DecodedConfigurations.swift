import Foundation
import SwiftletModel
import Synchronization

/// Decoded `$LATEST` configurations, each beside the stored bytes it was decoded from. A read that finds the same
/// bytes reuses the decoded value, so every invocation's function lookup skips the JSON decoding, and there is no
/// invalidation to get wrong: changed bytes are decoded again. Sharded by function so that concurrent invocations
/// share no lock.
final class DecodedConfigurations: Sendable {
    private struct Entry {
        var stored: Data
        var configuration: FunctionConfiguration
    }

    private final class Shard: Sendable {
        let entries = Mutex<[String: Entry]>([:])
    }

    private let shards: [Shard]
    /// Entries a shard holds before it starts over; bounds the memory of functions read once and deleted since.
    private let shardCapacity: Int

    init(shards: Int = 16, shardCapacity: Int = 1_024) {
        self.shards = (0..<shards).map { _ in Shard() }
        self.shardCapacity = shardCapacity
    }

    /// The configuration `stored` holds, decoded by `decode` unless the last bytes seen for `key` were the same.
    func configuration(
        for key: String, stored: Data, decode: (Data) throws -> FunctionConfiguration
    ) rethrows -> FunctionConfiguration {
        let shard = shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
        if let entry = shard.entries.withLock({ $0[key] }), entry.stored == stored { return entry.configuration }
        let configuration = try decode(stored)
        shard.entries.withLock { entries in
            if entries.count >= shardCapacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(stored: stored, configuration: configuration)
        }
        return configuration
    }
}
