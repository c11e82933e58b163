import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// PutLogEvents and GetLogEvents.
extension LogsAPI {
    /// PutLogEvents: appends a batch to an existing stream. The batch must be in chronological order, span at
    /// most 24 hours, hold at most 10,000 events and 1,048,576 bytes (26 per event plus each message's UTF-8
    /// length); otherwise `InvalidParameterException`. Events more than 2 hours ahead, more than 14 days old or
    /// older than the group's retention are left out and reported in `rejectedLogEventsInfo`, as AWS does.
    /// The sequence token is ignored and none is returned.
    func putLogEvents(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let group = try body.string("logGroupName")
        let stream = try body.string("logStreamName")
        let inputs = try body.objectList("logEvents")
        var validator = LogsValidator()
        validator.required(group, "logGroupName")
        validator.groupName(group)
        validator.required(stream, "logStreamName")
        validator.streamName(stream)
        validator.required(inputs, "logEvents")
        var events: [LogLine] = []
        for (index, input) in (inputs ?? []).enumerated() {
            let field = "logEvents.\(index + 1).member"
            let timestamp = try input.int64("timestamp")
            let message = try input.string("message")
            validator.required(timestamp, "\(field).timestamp")
            validator.range(timestamp, "\(field).timestamp", min: 0)
            validator.required(message, "\(field).message")
            if let message { validator.length(message, "\(field).message", max: Int.max) }
            if let timestamp, let message { events.append(LogLine(timestamp: timestamp, message: message)) }
        }
        if let inputs, inputs.isEmpty || inputs.count > LogsWire.maxEventsPerCall {
            let bound = inputs.isEmpty ? "greater than or equal to 1" : "less than or equal to 10000"
            validator.violations.append(
                ValidationViolation(
                    renderedValue: "'[...]'", field: "logEvents", constraint: "Member must have length \(bound)"))
        }
        try validator.check()
        try Self.checkBatch(events)

        try requireGroup(group!, context, "PutLogEvents")
        try requireStream(stream!, group: group!, context, "PutLogEvents")
        let retention = try storage("PutLogEvents") {
            try store.logGroup(accountId: context.accountId, region: context.region, name: group!)?.retentionDays
        }
        let now = clock()
        let (accepted, rejected) = Self.admit(events, now: now, retentionDays: retention)
        if !accepted.isEmpty {
            let batch = LogBatch(
                accountId: context.accountId, region: context.region, group: group!, stream: stream!,
                events: accepted)
            try storage("PutLogEvents") { try store.append([batch], ingestionTime: now) }
        }
        return .members([("rejectedLogEventsInfo", rejected)])
    }

    /// Refuses a batch out of chronological order, wider than 24 hours or larger than 1 MB.
    static func checkBatch(_ events: [LogLine]) throws(AWSError) {
        var bytes = 0
        for (index, event) in events.enumerated() {
            bytes += event.message.utf8.count + LogsWire.eventOverheadBytes
            if index > 0, event.timestamp < events[index - 1].timestamp {
                throw .logsInvalidParameter(
                    "Log events in a single PutLogEvents request must be in chronological order.")
            }
        }
        if bytes > LogsWire.maxBatchBytes {
            throw .logsInvalidParameter(
                "Upload too large: \(bytes) bytes exceeds limit of \(LogsWire.maxBatchBytes)")
        }
        if let first = events.first, let last = events.last,
            last.timestamp - first.timestamp > LogsWire.maxBatchSpanMilliseconds
        {
            throw .logsInvalidParameter(
                "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
        }
    }

    /// Splits a chronological batch into the events to store and the `rejectedLogEventsInfo` of the others.
    static func admit(
        _ events: [LogLine], now: Int64, retentionDays: Int?
    ) -> (accepted: [LogLine], rejected: JSONValue?) {
        let oldest = now - LogsWire.maxAgeMilliseconds
        let expiry = retentionDays.map { now - Int64($0) * 86_400_000 }
        let newest = now + LogsWire.maxFutureMilliseconds
        let tooOldEnd = events.lastIndex { $0.timestamp < oldest }
        let expiredEnd = expiry.flatMap { limit in events.lastIndex { $0.timestamp < limit } }
        let tooNewStart = events.firstIndex { $0.timestamp > newest }

        let keptStart = max(tooOldEnd.map { $0 + 1 } ?? 0, expiredEnd.map { $0 + 1 } ?? 0)
        let keptEnd = tooNewStart ?? events.count
        let accepted = keptStart < keptEnd ? Array(events[keptStart..<keptEnd]) : []
        guard tooOldEnd != nil || expiredEnd != nil || tooNewStart != nil else { return (accepted, nil) }
        let rejected = JSONValue.members([
            ("tooNewLogEventStartIndex", tooNewStart.map { .integer(Int64($0)) }),
            ("tooOldLogEventEndIndex", tooOldEnd.map { .integer(Int64($0)) }),
            ("expiredLogEventEndIndex", expiredEnd.map { .integer(Int64($0)) }),
        ])
        return (accepted, rejected)
    }

    /// GetLogEvents: a page of one stream's events, oldest first within the page. Without a token the page is the
    /// newest events (or the oldest with `startFromHead`); `nextForwardToken` reads on after the page and
    /// `nextBackwardToken` before it, and a token comes back unchanged when there is nothing more that way.
    func getLogEvents(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let stream = try body.string("logStreamName")
        let start = try body.int64("startTime")
        let end = try body.int64("endTime")
        let limit = try body.int("limit")
        let startFromHead = try body.bool("startFromHead") ?? false
        let tokenText = try body.string("nextToken")
        var validator = LogsValidator()
        validator.required(stream, "logStreamName")
        validator.streamName(stream)
        validator.range(start, "startTime", min: 0)
        validator.range(end, "endTime", min: 0)
        validator.range(limit, "limit", min: 1, max: LogsWire.maxEventsPerCall)
        let group = try groupName(body, context, &validator)
        let token = try PageToken.read(tokenText)
        switch token {
        case nil, .forward?, .backward?: break
        default: throw .invalidNextToken
        }
        try requireGroup(group, context, "GetLogEvents")
        try requireStream(stream!, group: group, context, "GetLogEvents")

        var query = LogEventQuery(
            accountId: context.accountId, region: context.region, group: group, streams: [stream!], start: start,
            end: end, limit: limit ?? LogsWire.maxEventsPerCall)
        switch token {
        case .forward(let timestamp, let id)?: query.after = (timestamp, id)
        case .backward(let timestamp, let id)?:
            query.after = (timestamp, id)
            query.descending = true
        default: query.descending = !startFromHead
        }
        var events = try storage("GetLogEvents") { try store.events(query) }
        events = Self.capped(events)
        if query.descending { events.reverse() }

        let forward: PageToken
        let backward: PageToken
        if let first = events.first, let last = events.last {
            forward = .forward(timestamp: last.timestamp, id: last.id)
            backward = .backward(timestamp: first.timestamp, id: first.id)
        } else {
            switch token {
            case .forward(let timestamp, let id)?:
                forward = token!
                backward = .backward(timestamp: timestamp, id: id &+ 1)
            case .backward(let timestamp, let id)?:
                forward = .forward(timestamp: timestamp, id: id &- 1)
                backward = token!
            default:
                forward = .forward(timestamp: .min, id: .min)
                backward = .backward(timestamp: .min, id: .min)
            }
        }
        return .object([
            (
                "events",
                .array(
                    events.map { event in
                        .object([
                            ("timestamp", .integer(event.timestamp)), ("message", .string(event.message)),
                            ("ingestionTime", .integer(event.ingestionTime)),
                        ])
                    })
            ),
            ("nextForwardToken", .string(forward.encoded)),
            ("nextBackwardToken", .string(backward.encoded)),
        ])
    }

    /// The leading events that fit in a 1 MB response, counting 26 bytes per event as PutLogEvents does; at least
    /// one event.
    static func capped(_ events: [StoredLogEvent]) -> [StoredLogEvent] {
        var bytes = 0
        for (index, event) in events.enumerated() {
            bytes += event.message.utf8.count + LogsWire.eventOverheadBytes
            if bytes > LogsWire.maxBatchBytes, index > 0 { return Array(events[..<index]) }
        }
        return events
    }
}
