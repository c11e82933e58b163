import Foundation
import SwiftletHTTP
import SwiftletModel

extension LambdaService {
    /// `DELETE /2015-03-31/functions/{name}`: removes the function, and its code when nothing else uses it.
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
            guard let number = Int(qualifier), number > 0 else {
                throw functionNotFound(reference.name, qualifier: qualifier, in: context)
            }
            let removed = try storage("delete the version") {
                try store.deleteVersion(
                    accountId: context.accountId, region: context.region, name: reference.name, version: number)
            }
            guard let removed else { throw functionNotFound(reference.name, qualifier: qualifier, in: context) }
            for digest in Set(removed.codeDigests) { releaseCode(digest) }
            logger.info(
                "function version deleted", [("function.name", reference.name), ("function.version", qualifier)])
            return HTTPResponse(status: 204)
        }
        let removed = try storage("delete the function") {
            try store.deleteFunction(accountId: context.accountId, region: context.region, name: reference.name)
        }
        guard let removed else { throw functionNotFound(reference.name, in: context) }
        for digest in removed.codeDigests { releaseCode(digest) }
        retireEnvironments(of: reference.name, in: context)
        logger.info("function deleted", [("function.name", reference.name)])
        return HTTPResponse(status: 204)
    }
}
