/// One log line as a function or the platform wrote it, bound for a log stream.
public struct LogLine: Sendable, Equatable {
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var message: String

    public init(timestamp: Int64, message: String) {
        self.timestamp = timestamp
        self.message = message
    }
}

/// Events bound for one stream of one group.
public struct LogBatch: Sendable {
    public var accountId: String
    public var region: String
    public var group: String
    public var stream: String
    public var events: [LogLine]

    public init(accountId: String, region: String, group: String, stream: String, events: [LogLine]) {
        self.accountId = accountId
        self.region = region
        self.group = group
        self.stream = stream
        self.events = events
    }
}

/// A stored event with its identity.
public struct StoredLogEvent: Sendable, Equatable {
    /// Increases with every event stored; pages and de-duplication use it.
    public var id: Int64
    public var stream: String
    public var timestamp: Int64
    /// When the store received it, milliseconds since the epoch.
    public var ingestionTime: Int64
    public var message: String
}

/// A log group's description.
public struct LogGroupInfo: Sendable, Equatable {
    public var name: String
    public var creationTime: Int64
    public var retentionDays: Int?
    public var storedBytes: Int64
}

/// A log stream's description.
public struct LogStreamInfo: Sendable, Equatable {
    public var name: String
    public var creationTime: Int64
    public var firstEventTimestamp: Int64?
    public var lastEventTimestamp: Int64?
    public var lastIngestionTime: Int64?
    public var storedBytes: Int64
}

/// Which events to read.
public struct LogEventQuery: Sendable {
    public var accountId: String
    public var region: String
    public var group: String
    /// Only these streams; nil for all.
    public var streams: [String]?
    /// Only streams whose names start with this.
    public var streamPrefix: String?
    /// Inclusive lower bound on the timestamp, ms.
    public var start: Int64?
    /// Exclusive upper bound on the timestamp, ms.
    public var end: Int64?
    /// Continue after this event (by order of reading).
    public var after: (timestamp: Int64, id: Int64)?
    public var limit: Int
    /// Newest first.
    public var descending: Bool

    public init(
        accountId: String, region: String, group: String, streams: [String]? = nil, streamPrefix: String? = nil,
        start: Int64? = nil, end: Int64? = nil, after: (timestamp: Int64, id: Int64)? = nil, limit: Int,
        descending: Bool = false
    ) {
        self.accountId = accountId
        self.region = region
        self.group = group
        self.streams = streams
        self.streamPrefix = streamPrefix
        self.start = start
        self.end = end
        self.after = after
        self.limit = limit
        self.descending = descending
    }
}

/// Durable storage of log groups, streams and events, with retention. Safe to call from any thread.
public protocol LogStore: Sendable {
    /// Appends events, creating groups and streams as needed, all in one transaction.
    func append(_ batches: [LogBatch], ingestionTime: Int64) throws

    /// Creates an empty group; throws ``StoreError/alreadyExists`` when it exists.
    func createLogGroup(accountId: String, region: String, name: String, creationTime: Int64) throws

    /// Creates an empty stream; throws ``StoreError/notFound`` without the group and
    /// ``StoreError/alreadyExists`` when the stream exists.
    func createLogStream(accountId: String, region: String, group: String, name: String, creationTime: Int64) throws

    /// Groups whose names start with `prefix` and sort after `after`, in name order.
    func logGroups(
        accountId: String, region: String, prefix: String?, after: String?, limit: Int
    ) throws
        -> [LogGroupInfo]

    /// The group, or nil.
    func logGroup(accountId: String, region: String, name: String) throws -> LogGroupInfo?

    /// Streams of a group in name order (or by last event time), after the offset `skip`.
    func logStreams(
        accountId: String, region: String, group: String, prefix: String?, orderByLastEvent: Bool, descending: Bool,
        skip: Int, limit: Int
    ) throws -> [LogStreamInfo]

    /// Events matching the query, ordered by timestamp then id (reversed when descending).
    func events(_ query: LogEventQuery) throws -> [StoredLogEvent]

    /// Deletes a group with its streams and events; false when there was none.
    func deleteLogGroup(accountId: String, region: String, name: String) throws -> Bool

    /// Sets (or with nil, clears) a group's retention in days; false when there is no such group.
    func setRetention(accountId: String, region: String, group: String, days: Int?) throws -> Bool

    /// Deletes events older than their group's retention; returns how many.
    @discardableResult
    func expireEvents(now: Int64) throws -> Int
}

extension LogStore {
    /// One stream of a group, or nil. The stream's own name sorts first among the names it prefixes, so the
    /// first stream of a prefix listing is the one asked for when it exists.
    public func logStream(accountId: String, region: String, group: String, name: String) throws -> LogStreamInfo? {
        let first = try logStreams(
            accountId: accountId, region: region, group: group, prefix: name, orderByLastEvent: false,
            descending: false, skip: 0, limit: 1
        ).first
        return first?.name == name ? first : nil
    }
}
