import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// FilterLogEvents.
extension LogsAPI {
    /// Events read from the store per step of a filtered scan.
    static let filterScanBatch = 1_000
    /// Events one FilterLogEvents call examines at most before answering with a `nextToken`, so that a rare
    /// pattern over a large group cannot hold a server thread for long.
    static let filterScanLimit = 100_000
    /// AWS reads newest first only from 2024-01-01T00:00:00Z on.
    static let newestFirstEarliestStart: Int64 = 1_704_067_200_000

    /// FilterLogEvents: a group's events (optionally of the named streams, or of streams starting with a prefix)
    /// in `[startTime, endTime)` that match `filterPattern`, oldest first across streams (newest first when
    /// `startFromHead` is false; a token keeps the direction it was made in), at most `limit` (default and maximum
    /// 10,000) and 1 MB per page. `nextToken` is present while more events may match; `searchedLogStreams` is
    /// always empty, as AWS has answered since May 2020.
    func filterLogEvents(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let streams = try body.stringList("logStreamNames")
        let prefix = try body.string("logStreamNamePrefix")
        let start = try body.int64("startTime")
        let end = try body.int64("endTime")
        let patternText = try body.string("filterPattern")
        let limit = try body.int("limit")
        let tokenText = try body.string("nextToken")
        let startFromHead = try body.bool("startFromHead")
        var validator = LogsValidator()
        if let streams {
            if streams.isEmpty || streams.count > LogsWire.maxFilterStreamNames {
                let bound = streams.isEmpty ? "greater than or equal to 1" : "less than or equal to 100"
                validator.violations.append(
                    ValidationViolation(
                        renderedValue: "'[\(streams.joined(separator: ", "))]'", field: "logStreamNames",
                        constraint: "Member must have length \(bound)"))
            }
            for (index, stream) in streams.enumerated() { validator.streamName(stream, "logStreamNames.\(index + 1)") }
        }
        validator.streamName(prefix, "logStreamNamePrefix")
        validator.range(start, "startTime", min: 0)
        validator.range(end, "endTime", min: 0)
        if let patternText {
            validator.length(patternText, "filterPattern", min: 0, max: LogsWire.maxFilterPatternLength)
        }
        validator.range(limit, "limit", min: 1, max: LogsWire.maxEventsPerCall)
        let group = try groupName(body, context, &validator)
        if streams != nil, prefix != nil {
            throw .logsInvalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        }
        let pattern = try FilterPattern(patternText ?? "")
        if startFromHead == false, let start, start < Self.newestFirstEarliestStart {
            throw .logsInvalidParameter(
                "startFromHead set to false is supported only with a startTime on or after Jan 1, 2024 00:00:00 UTC.")
        }
        var after: (timestamp: Int64, id: Int64)?
        var newestFirst = startFromHead == false
        switch try PageToken.read(tokenText) {
        case nil: after = nil
        case .filterAfter(let timestamp, let id)?:
            after = (timestamp, id)
            newestFirst = false
        case .filterBefore(let timestamp, let id)?:
            after = (timestamp, id)
            newestFirst = true
        default: throw .invalidNextToken
        }
        try requireGroup(group, context, "FilterLogEvents")
        for stream in Set(streams ?? []) { try requireStream(stream, group: group, context, "FilterLogEvents") }

        let pageSize = limit ?? LogsWire.maxEventsPerCall
        var matches: [StoredLogEvent] = []
        var bytes = 0
        var scanned = 0
        var resume: (timestamp: Int64, id: Int64)?
        scan: while true {
            let query = LogEventQuery(
                accountId: context.accountId, region: context.region, group: group, streams: streams,
                streamPrefix: prefix, start: start, end: end, after: after, limit: Self.filterScanBatch,
                descending: newestFirst)
            let batch = try storage("FilterLogEvents") { try store.events(query) }
            for event in batch {
                scanned += 1
                after = (event.timestamp, event.id)
                guard pattern.matches(event.message) else { continue }
                bytes += event.message.utf8.count + LogsWire.eventOverheadBytes
                if bytes > LogsWire.maxBatchBytes, !matches.isEmpty {
                    resume = matches.last.map { ($0.timestamp, $0.id) }
                    break scan
                }
                matches.append(event)
                if matches.count == pageSize {
                    resume = after
                    break scan
                }
            }
            if batch.count < Self.filterScanBatch { break }
            if scanned >= Self.filterScanLimit {
                resume = after
                break
            }
        }

        return .members([
            ("events", .array(matches.map(Self.wireFilteredEvent))),
            ("searchedLogStreams", .array([])),
            (
                "nextToken",
                resume.map { position in
                    let token: PageToken =
                        newestFirst
                        ? .filterBefore(timestamp: position.timestamp, id: position.id)
                        : .filterAfter(timestamp: position.timestamp, id: position.id)
                    return .string(token.encoded)
                }
            ),
        ])
    }

    /// A `FilteredLogEvent`.
    static func wireFilteredEvent(_ event: StoredLogEvent) -> JSONValue {
        .object([
            ("logStreamName", .string(event.stream)),
            ("timestamp", .integer(event.timestamp)),
            ("message", .string(event.message)),
            ("ingestionTime", .integer(event.ingestionTime)),
            ("eventId", .string(String(event.id))),
        ])
    }
}
