import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// CreateLogGroup, DescribeLogGroups, DeleteLogGroup, and how operations find the group they name.
extension LogsAPI {
    // Limitation: `tags`, `kmsKeyId` and `logGroupClass` are accepted and not kept; DescribeLogGroups reports every
    // group as STANDARD without tags.
    /// CreateLogGroup: an empty group. Errors: `InvalidParameterException` for a bad name,
    /// `ResourceAlreadyExistsException` when the name is taken.
    func createLogGroup(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let name = try body.string("logGroupName")
        var validator = LogsValidator()
        validator.required(name, "logGroupName")
        validator.groupName(name)
        validator.oneOf(
            try body.string("logGroupClass"), "logGroupClass", ["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"])
        try validator.check()

        let created = try storage("CreateLogGroup") { () throws -> Bool in
            do {
                try store.createLogGroup(
                    accountId: context.accountId, region: context.region, name: name!, creationTime: clock())
                return true
            } catch StoreError.alreadyExists {
                return false
            }
        }
        guard created else { throw .logGroupExists }
        return .object([])
    }

    /// DescribeLogGroups: groups in name order, optionally those starting with `logGroupNamePrefix` or containing
    /// `logGroupNamePattern` (ignoring case), `limit` (1–50, default 50) at a time.
    func describeLogGroups(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let prefix = try body.string("logGroupNamePrefix")
        let pattern = try body.string("logGroupNamePattern")
        let limit = try body.int("limit")
        let token = try body.string("nextToken")
        var validator = LogsValidator()
        validator.groupName(prefix, "logGroupNamePrefix")
        validator.range(limit, "limit", min: 1, max: LogsWire.maxDescribeLimit)
        if let pattern {
            validator.length(pattern, "logGroupNamePattern", min: 0, max: LogsWire.maxNameLength)
        }
        try validator.check()
        if prefix != nil, pattern != nil {
            throw .logsInvalidParameter(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        }
        var after: String?
        switch try PageToken.read(token) {
        case nil: after = nil
        case .groupsAfter(let name)?: after = name
        default: throw .invalidNextToken
        }

        let pageSize = limit ?? LogsWire.maxDescribeLimit
        let needle = pattern.flatMap { $0.isEmpty ? nil : $0.lowercased() }
        var page: [LogGroupInfo] = []
        var more = false
        while true {
            let batch = try storage("DescribeLogGroups") {
                try store.logGroups(
                    accountId: context.accountId, region: context.region, prefix: prefix, after: after,
                    limit: needle == nil ? pageSize + 1 : 500)
            }
            for group in batch where needle.map({ group.name.lowercased().contains($0) }) ?? true {
                if page.count == pageSize {
                    more = true
                    break
                }
                page.append(group)
            }
            if more || batch.count < (needle == nil ? pageSize + 1 : 500) { break }
            after = batch.last?.name
        }

        return .members([
            ("logGroups", .array(page.map { Self.wireGroup($0, context) })),
            ("nextToken", more ? .string(PageToken.groupsAfter(page.last!.name).encoded) : nil),
        ])
    }

    /// DeleteLogGroup: the group with its streams and events. Errors: `ResourceNotFoundException`.
    func deleteLogGroup(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let name = try body.string("logGroupName")
        var validator = LogsValidator()
        validator.required(name, "logGroupName")
        validator.groupName(name)
        try validator.check()

        let deleted = try storage("DeleteLogGroup") {
            try store.deleteLogGroup(accountId: context.accountId, region: context.region, name: name!)
        }
        guard deleted else { throw .logGroupNotFound }
        return .object([])
    }

    /// A `LogGroup` as DescribeLogGroups lists it.
    static func wireGroup(_ group: LogGroupInfo, _ context: RequestContext) -> JSONValue {
        .members([
            ("logGroupName", .string(group.name)),
            ("creationTime", .integer(group.creationTime)),
            ("retentionInDays", group.retentionDays.map { .integer(Int64($0)) }),
            ("metricFilterCount", .integer(0)),
            ("arn", .string(LogsWire.groupARN(context, group.name))),
            ("storedBytes", .integer(group.storedBytes)),
            ("logGroupClass", .string("STANDARD")),
            ("logGroupArn", .string(LogsWire.groupARNWithoutWildcard(context, group.name))),
        ])
    }

    /// The group an operation reads, from `logGroupName` or `logGroupIdentifier` (a name or an ARN, with or
    /// without `:*`); exactly one must be given. Throws the violations `validator` holds, with any found here;
    /// does not check that the group exists.
    func groupName(
        _ body: LogsRequestBody, _ context: RequestContext, _ validator: inout LogsValidator
    ) throws(AWSError)
        -> String
    {
        let name = try body.string("logGroupName")
        let identifier = try body.string("logGroupIdentifier")
        validator.groupName(name)
        if let identifier, !identifier.hasPrefix("arn:") {
            validator.groupName(identifier, "logGroupIdentifier")
        } else if let identifier {
            validator.length(identifier, "logGroupIdentifier", max: 2048)
        }
        try validator.check()

        switch (name, identifier) {
        case (let name?, nil):
            return name
        case (nil, let identifier?):
            guard identifier.hasPrefix("arn:") else { return identifier }
            guard let name = Self.groupName(fromARN: identifier, context) else {
                throw .logsInvalidParameter("The logGroupIdentifier '\(identifier)' is not the ARN of a log group.")
            }
            return name
        case (.some, .some):
            throw .logsInvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        case (nil, nil):
            throw .logsInvalidParameter("Should provide either logGroupName or logGroupIdentifier.")
        }
    }

    /// The name in `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]`; an empty name (so: not found) when the ARN
    /// is of another account or region, nil when it is not a log group ARN at all.
    static func groupName(fromARN arn: String, _ context: RequestContext) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count == 7, parts[2] == "logs", parts[5] == "log-group" else { return nil }
        var name = String(parts[6])
        if name.hasSuffix(":*") { name.removeLast(2) }
        guard parts[3] == context.region, parts[4] == context.accountId else { return "" }
        return name
    }

    /// Fails with `ResourceNotFoundException` unless the group exists.
    func requireGroup(_ name: String, _ context: RequestContext, _ operation: String) throws(AWSError) {
        let group = try storage(operation) {
            try store.logGroup(accountId: context.accountId, region: context.region, name: name)
        }
        if group == nil { throw .logGroupNotFound }
    }
}
