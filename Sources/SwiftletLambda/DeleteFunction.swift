import Foundation
import SwiftletHTTP
import SwiftletModel

extension LambdaService {
    /// `DELETE /2015-03-31/functions/{name}`: removes the function with its versions and aliases, or one published
    /// version when qualified, and the code when nothing else uses it.
    ///
    /// Errors: `ResourceNotFoundException`, `ResourceConflictException` (an alias points at the version),
    /// `InvalidParameterValueException` (`$LATEST` or an alias as the qualifier).
    func deleteFunction(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try resolve(name, in: context)
        let qualifier = try Self.qualifier(of: reference, parameter: request.queryValue("Qualifier"))
        if qualifier == "$LATEST" {
            throw .invalidParameterValue("$LATEST version cannot be deleted without deleting the function.")
        }
        if let qualifier {
            _ = try load(reference, in: context)
            guard let number = Int(qualifier) else {
                throw .invalidParameterValue(
                    "Qualifier '\(qualifier)' is not a version: DeleteFunction deletes a function or one of its "
                        + "versions; use DeleteAlias to delete an alias.")
            }
            guard number > 0 else { throw functionNotFound(reference.name, qualifier: qualifier, in: context) }
            let removed = try withAliasLock { () throws(AWSError) in
                try refuseIfAliased(reference.name, version: qualifier, in: context)
                return try storage("delete the version") {
                    try store.deleteVersion(
                        accountId: context.accountId, region: context.region, name: reference.name, version: number)
                }
            }
            guard let removed else { throw functionNotFound(reference.name, qualifier: qualifier, in: context) }
            for digest in Set(removed.codeDigests) { releaseCode(digest) }
            logger.info(
                "function version deleted", [("function.name", reference.name), ("function.version", qualifier)])
            applyProvisioned(reference.name, in: context)
            return HTTPResponse(status: 204)
        }
        // Under the alias lock, so that no alias is created for the function while it goes away.
        let removed = try withAliasLock { () throws(AWSError) in
            try storage("delete the function") {
                try store.deleteFunction(accountId: context.accountId, region: context.region, name: reference.name)
            }
        }
        guard let removed else { throw functionNotFound(reference.name, in: context) }
        for digest in removed.codeDigests { releaseCode(digest) }
        if removed.latest.reservedConcurrency != nil { refreshReservations(context) }
        retireEnvironments(of: reference.name, in: context)
        logger.info("function deleted", [("function.name", reference.name)])
        return HTTPResponse(status: 204)
    }

    /// AWS keeps a version while an alias routes to it.
    private func refuseIfAliased(_ name: String, version: String, in context: RequestContext) throws(AWSError) {
        let aliases = try storage("list aliases") {
            try store.listAliases(
                accountId: context.accountId, region: context.region, functionName: name, after: nil, limit: Int.max)
        }
        let referencing = aliases.filter { $0.versions.contains(version) }.map(\.name)
        guard referencing.isEmpty else {
            let names = referencing.joined(separator: ", ")
            throw .resourceConflict("Unable to delete version because the following aliases reference it: [\(names)]")
        }
    }
}
