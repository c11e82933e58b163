import Foundation
import SwiftletModel
import SwiftletStore

extension QueueService {
    // Limitation: a queue name can be used again at once after DeleteQueue; AWS answers QueueDeletedRecently for 60
    // seconds.
    /// Creates queue `name`, or finds it when it exists with the same values for the attributes given.
    /// - Parameters:
    ///   - attributes: queue attributes by AWS name; `FifoQueue=true` (and a `.fifo` name) makes a FIFO queue.
    ///   - completion: the queue once stored, or `InvalidParameterValue` (name), `InvalidAttributeName`,
    ///     `InvalidAttributeValue`, `QueueAlreadyExists`.
    public func createQueue(
        name: String, attributes: [String: String], tags: [String: String] = [:], accountId: String, region: String,
        completion: @escaping @Sendable (Result<ManagedQueue, AWSError>) -> Void
    ) {
        let fifo = attributes["FifoQueue"]?.lowercased() == "true"
        let validated: [String: String]
        do throws(AWSError) {
            try Self.checkName(name, fifo: fifo)
            validated = try QueueAttributes.validate(
                attributes, fifo: fifo, creating: true, deadLetterQueue: { self.deadLetterTarget($0) })
        } catch {
            completion(.failure(error))
            return
        }

        let now = clock()
        let outcome = registry.withLock { queues -> Result<(ManagedQueue, Bool), AWSError> in
            let key = Self.key(accountId, region, name)
            if let existing = queues[key] {
                let current = existing.record.attributes
                for attribute in validated.keys.sorted() where (current[attribute] ?? "") != validated[attribute]! {
                    return .failure(.queueAlreadyExists(attribute))
                }
                return .success((existing, false))
            }
            var effective = QueueAttributes.defaults(fifo: fifo).merging(validated) { _, given in given }
            if effective["RedrivePolicy"] == "" { effective["RedrivePolicy"] = nil }
            let record = QueueRecord(
                id: nextQueueId.add(1, ordering: .relaxed).oldValue, accountId: accountId, region: region, name: name,
                createdAt: now, modifiedAt: now, attributes: effective, tags: tags)
            let queue = ManagedQueue(record: record)
            queues[key] = queue
            return .success((queue, true))
        }
        switch outcome {
        case .failure(let error): completion(.failure(error))
        case .success((let queue, false)): completion(.success(queue))
        case .success((let queue, true)):
            persist([.putQueue(queue.record)]) { result in
                if case .failure(let error) = result {
                    _ = self.registry.withLock { $0.removeValue(forKey: Self.key(accountId, region, name)) }
                    completion(.failure(error))
                } else {
                    completion(.success(queue))
                }
            }
        }
    }

    /// Checks a queue name: 1 to 80 letters, digits, hyphens and underscores, and `.fifo` at the end exactly when
    /// the queue is FIFO.
    static func checkName(_ name: String, fifo: Bool) throws(AWSError) {
        let stem = fifo && name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
        let allowed = stem.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_")
        }
        guard !stem.isEmpty, allowed, name.count <= SQSWire.maxNameLength, !fifo || name.hasSuffix(".fifo") else {
            throw .sqsInvalidParameter(
                fifo
                    ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                        + "must end with .fifo suffix and be 1 to 80 in length."
                    : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
        }
    }

    /// Deletes a queue and its messages; long polls waiting on it are answered with no messages.
    public func deleteQueue(_ queue: ManagedQueue, completion: @escaping @Sendable (Result<Void, AWSError>) -> Void) {
        let removed = registry.withLock { queues -> Bool in
            let key = Self.key(queue.accountId, queue.region, queue.name)
            guard queues[key] === queue else { return false }
            queues[key] = nil
            return true
        }
        guard removed else {
            completion(.failure(.queueDoesNotExist))
            return
        }
        let waiters = queue.inner.withLock { inner in
            inner.deleted = true
            defer { inner.waiters.removeAll() }
            return inner.waiters
        }
        for waiter in waiters { waiter.completion(.success([])) }
        persist([.deleteQueue(id: queue.id)], completion: completion)
    }

    /// Deletes every message of a queue.
    /// - Parameter completion: done, or `PurgeQueueInProgress` within 60 seconds of the last purge.
    public func purge(_ queue: ManagedQueue, completion: @escaping @Sendable (Result<Void, AWSError>) -> Void) {
        let now = clock()
        let outcome = queue.inner.withLock { inner -> Result<Void, AWSError> in
            do throws(AWSError) {
                let change = try inner.state.purge(now: now)
                persist([change], completion: completion)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = outcome { completion(.failure(error)) }
    }

    /// The queue's attributes by AWS name, stored and computed (`ApproximateNumberOfMessages`, `QueueArn`, ...).
    public func attributes(of queue: ManagedQueue) -> [String: String] {
        let now = clock()
        let (record, counts) = queue.inner.withLock { inner in
            let counts = inner.state.counts(now: now)
            if !counts.changes.isEmpty { self.persist(counts.changes) { _ in } }
            return (inner.state.record, counts)
        }
        var attributes = record.attributes
        attributes["QueueArn"] = queue.arn
        attributes["ApproximateNumberOfMessages"] = "\(counts.visible)"
        attributes["ApproximateNumberOfMessagesNotVisible"] = "\(counts.inFlight)"
        attributes["ApproximateNumberOfMessagesDelayed"] = "\(counts.delayed)"
        attributes["CreatedTimestamp"] = "\(record.createdAt / 1000)"
        attributes["LastModifiedTimestamp"] = "\(record.modifiedAt / 1000)"
        return attributes
    }

    /// Changes settable attributes of a queue.
    /// - Parameter completion: done once stored, or `InvalidAttributeName`, `InvalidAttributeValue`,
    ///   `InvalidParameterValue` (redrive policy).
    public func setAttributes(
        _ attributes: [String: String], of queue: ManagedQueue,
        completion: @escaping @Sendable (Result<Void, AWSError>) -> Void
    ) {
        let validated: [String: String]
        do throws(AWSError) {
            validated = try QueueAttributes.validate(
                attributes, fifo: queue.isFIFO, creating: false, deadLetterQueue: { self.deadLetterTarget($0) })
        } catch {
            completion(.failure(error))
            return
        }
        let now = clock()
        queue.inner.withLock { inner in
            var record = inner.state.record
            for (name, value) in validated {
                record.attributes[name] = name == "RedrivePolicy" && value.isEmpty ? nil : value
            }
            record.modifiedAt = now
            inner.state.update(record)
            queue.descriptor.withLock { $0 = record }
            self.persist([.putQueue(record)], completion: completion)
        }
    }
}
