import Synchronization

/// The responders whose requests are held open, so that stopping the server can answer them first
/// (libmicrohttpd refuses to stop while a connection is suspended).
///
/// Sharded by responder identity so that concurrent held requests rarely meet on one lock.
final class HeldRequests: Sendable {
    private static let shardCount = 16
    private let shards: [Shard]

    /// One lock and its part of the set; a class because `Mutex` cannot be copied into an array.
    private final class Shard: Sendable {
        let responders = Mutex<[ObjectIdentifier: HTTPResponder]>([:])
    }

    init() {
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    private func shard(for responder: HTTPResponder) -> Shard {
        shards[Int(UInt(bitPattern: ObjectIdentifier(responder).hashValue) % UInt(Self.shardCount))]
    }

    func insert(_ responder: HTTPResponder) {
        shard(for: responder).responders.withLock { $0[ObjectIdentifier(responder)] = responder }
    }

    func remove(_ responder: HTTPResponder) {
        shard(for: responder).responders.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(responder)) }
    }

    /// Empties every shard and returns what they held.
    func removeAll() -> [HTTPResponder] {
        shards.flatMap { shard in
            shard.responders.withLock { held in
                let values = Array(held.values)
                held.removeAll()
                return values
            }
        }
    }
}
