import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// PutRetentionPolicy and DeleteRetentionPolicy. ``LogRetentionSweeper`` deletes the events a policy expires.
extension LogsAPI {
    /// PutRetentionPolicy: keeps a group's events `retentionInDays` days, one of the values AWS allows. Errors:
    /// `InvalidParameterException` for another value, `ResourceNotFoundException` without the group.
    func putRetentionPolicy(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let group = try body.string("logGroupName")
        let days = try body.int("retentionInDays")
        var validator = LogsValidator()
        validator.required(group, "logGroupName")
        validator.groupName(group)
        validator.required(days, "retentionInDays")
        if let days, !LogsWire.retentionDays.contains(days) {
            let allowed = LogsWire.retentionDays.map(String.init).joined(separator: ", ")
            validator.violations.append(
                .value("\(days)", at: "retentionInDays", "Member must satisfy enum value set: [\(allowed)]"))
        }
        try validator.check()

        try setRetention(group!, days: days, context, "PutRetentionPolicy")
        return .object([])
    }

    /// DeleteRetentionPolicy: keeps a group's events forever. Errors: `ResourceNotFoundException`.
    func deleteRetentionPolicy(_ body: LogsRequestBody, _ context: RequestContext) throws(AWSError) -> JSONValue {
        let group = try body.string("logGroupName")
        var validator = LogsValidator()
        validator.required(group, "logGroupName")
        validator.groupName(group)
        try validator.check()

        try setRetention(group!, days: nil, context, "DeleteRetentionPolicy")
        return .object([])
    }

    private func setRetention(
        _ group: String, days: Int?, _ context: RequestContext, _ operation: String
    ) throws(AWSError) {
        let found = try storage(operation) {
            try store.setRetention(accountId: context.accountId, region: context.region, group: group, days: days)
        }
        guard found else { throw .logGroupNotFound }
        logger.debug(
            "log retention set",
            [("logs.group", group), ("logs.retention_days", days.map(String.init) ?? "never expire")])
    }
}
