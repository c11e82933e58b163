import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// CreateLogStream, DescribeLogStreams, and the check that a named stream exists.
extension LogsAPI {
    /// CreateLogStream: an empty stream in an existing group. Errors: `InvalidParameterException` for a bad name,
    /// `ResourceNotFoundException` without the group, `ResourceAlreadyExistsException` when the name is taken.
    func createLogStream(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let group = try body.string("logGroupName")
        let stream = try body.string("logStreamName")
        var validator = LogsValidator()
        validator.required(group, "logGroupName")
        validator.groupName(group)
        validator.required(stream, "logStreamName")
        validator.streamName(stream)
        try validator.check()

        let outcome = try storage("CreateLogStream") { () throws -> StoreError? in
            do {
                try store.createLogStream(
                    accountId: context.accountId, region: context.region, group: group!, name: stream!,
                    creationTime: clock())
                return nil
            } catch StoreError.notFound {
                return .notFound
            } catch StoreError.alreadyExists {
                return .alreadyExists
            }
        }
        switch outcome {
        case .notFound?: throw .logGroupNotFound
        case .alreadyExists?: throw .logStreamExists
        default: return .object([])
        }
    }

    /// DescribeLogStreams: a group's streams by name (optionally those starting with `logStreamNamePrefix`) or by
    /// last event time, ascending unless `descending`, `limit` (1–50, default 50) at a time. AWS refuses a prefix
    /// together with ordering by last event time.
    func describeLogStreams(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let prefix = try body.string("logStreamNamePrefix")
        let orderBy = try body.string("orderBy")
        let descending = try body.bool("descending") ?? false
        let limit = try body.int("limit")
        let token = try body.string("nextToken")
        var validator = LogsValidator()
        validator.streamName(prefix, "logStreamNamePrefix")
        validator.oneOf(orderBy, "orderBy", ["LogStreamName", "LastEventTime"])
        validator.range(limit, "limit", min: 1, max: LogsWire.maxDescribeLimit)
        let group = try groupName(body, context, &validator)
        let byLastEvent = orderBy == "LastEventTime"
        if byLastEvent, prefix != nil {
            throw .logsInvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        }
        let skip: Int
        switch try PageToken.read(token) {
        case nil: skip = 0
        case .streamsSkipping(let count)?: skip = count
        default: throw .invalidNextToken
        }
        try requireGroup(group, context, "DescribeLogStreams")

        let pageSize = limit ?? LogsWire.maxDescribeLimit
        var streams = try storage("DescribeLogStreams") {
            try store.logStreams(
                accountId: context.accountId, region: context.region, group: group, prefix: prefix,
                orderByLastEvent: byLastEvent, descending: descending, skip: skip, limit: pageSize + 1)
        }
        let more = streams.count > pageSize
        if more { streams.removeLast() }

        return .members([
            ("logStreams", .array(streams.map { Self.wireStream($0, group: group, context) })),
            ("nextToken", more ? .string(PageToken.streamsSkipping(skip + pageSize).encoded) : nil),
        ])
    }

    /// A `LogStream` as DescribeLogStreams lists it. `storedBytes` is deprecated and AWS reports 0.
    static func wireStream(_ stream: LogStreamInfo, group: String, _ context: RequestContext) -> JSONValue {
        .members([
            ("logStreamName", .string(stream.name)),
            ("creationTime", .integer(stream.creationTime)),
            ("firstEventTimestamp", stream.firstEventTimestamp.map { .integer($0) }),
            ("lastEventTimestamp", stream.lastEventTimestamp.map { .integer($0) }),
            ("lastIngestionTime", stream.lastIngestionTime.map { .integer($0) }),
            ("arn", .string(LogsWire.streamARN(context, group: group, stream: stream.name))),
            ("storedBytes", .integer(0)),
        ])
    }

    /// Fails with `ResourceNotFoundException` unless the stream exists in the group.
    func requireStream(_ name: String, group: String, _ context: RequestContext, _ operation: String) throws(AWSError) {
        let found = try storage(operation) {
            try store.logStream(accountId: context.accountId, region: context.region, group: group, name: name)
        }
        if found == nil { throw .logStreamNotFound }
    }
}
