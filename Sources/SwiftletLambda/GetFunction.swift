import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem

extension LambdaService {
    /// `GET /2015-03-31/functions/{name}`: configuration, a link to download the code, and tags.
    func getFunction(_ request: HTTPRequest, _ context: RequestContext, name: String) throws(AWSError) -> HTTPResponse {
        let qualified = try loadQualified(name, qualifier: request.queryValue("Qualifier"), in: context)
        let record = qualified.record
        return .json(
            200,
            .members([
                ("Configuration", record.wireConfiguration(alias: qualified.alias?.name)),
                (
                    "Code",
                    .object([
                        ("RepositoryType", .string("S3")),
                        ("Location", .string(codeLink(for: record, request: request))),
                    ])
                ),
                ("Tags", record.tags.isEmpty ? nil : .stringMap(record.tags)),
                (
                    "Concurrency",
                    record.reservedConcurrency.map {
                        .object([("ReservedConcurrentExecutions", .integer(Int64($0)))])
                    }
                ),
            ]))
    }

    /// `GET /2015-03-31/functions/{name}/configuration`.
    func getFunctionConfiguration(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let qualified = try loadQualified(name, qualifier: request.queryValue("Qualifier"), in: context)
        return .json(200, qualified.record.wireConfiguration(alias: qualified.alias?.name))
    }

    /// Loads a function named by path and `Qualifier`: `$LATEST` (the default), a published version number, or an
    /// alias, which resolves to the version `pick` chooses among the alias's versions (its `FunctionVersion`
    /// unless told otherwise). The record returned carries that version's configuration and the function's tags.
    func loadQualified(
        _ name: String, qualifier: String?, in context: RequestContext,
        pick: (FunctionAlias) -> String = { $0.functionVersion }
    ) throws(AWSError)
        -> QualifiedFunction
    {
        let reference = try resolve(name, in: context)
        let effective = try Self.qualifier(of: reference, parameter: qualifier)
        var record = try load(reference, in: context)
        guard let effective, effective != "$LATEST" else {
            return QualifiedFunction(record: record, alias: nil, qualifier: effective)
        }
        var alias: FunctionAlias?
        var version = effective
        if Int(effective) == nil {
            alias = try storage("read the alias") {
                try store.alias(
                    accountId: context.accountId, region: context.region, functionName: reference.name,
                    name: effective)
            }
            guard let alias else { throw functionNotFound(reference.name, qualifier: effective, in: context) }
            version = pick(alias)
            if version == "$LATEST" { return QualifiedFunction(record: record, alias: alias, qualifier: effective) }
        }
        guard let number = Int(version), number > 0 else {
            throw functionNotFound(reference.name, qualifier: effective, in: context)
        }
        let published = try storage("read the version") {
            try store.version(
                accountId: context.accountId, region: context.region, name: reference.name, version: number)
        }
        guard let published else { throw functionNotFound(reference.name, qualifier: effective, in: context) }
        record.configuration = published
        return QualifiedFunction(record: record, alias: alias, qualifier: effective)
    }

    /// The qualifier a request means: from the name or from the `Qualifier` parameter, which must agree.
    static func qualifier(of reference: FunctionReference, parameter: String?) throws(AWSError) -> String? {
        if let parameter {
            guard !parameter.isEmpty, parameter.count <= 128,
                parameter == "$LATEST" || FunctionReference.isName(parameter.replacingOccurrences(of: "$", with: ""))
            else {
                throw .validation([
                    .value(
                        parameter, at: "qualifier",
                        "Member must satisfy regular expression pattern: \\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+")
                ])
            }
        }
        switch (reference.qualifier, parameter) {
        case (let fromName?, let given?) where fromName != given:
            throw .invalidParameterValue(
                "The derived qualifier from the function name does not match the specified qualifier.")
        case (let fromName?, _): return fromName
        case (nil, let given): return given
        }
    }

    /// A link to download the function's zip from this node, signed and valid for a few minutes.
    func codeLink(for record: FunctionRecord, request: HTTPRequest) -> String {
        codeLink(sha256Hex: record.configuration.code.sha256Hex, request: request)
    }

    /// A signed download link for the blob with this digest, a function's or a layer version's.
    func codeLink(sha256Hex hex: String, request: HTTPRequest) -> String {
        let base = request.headers["Host"].map { "http://\($0)" } ?? configuration.endpoint
        let expires = Int(Date().timeIntervalSince1970 + configuration.codeLinkLifetime)
        return "\(base)\(LambdaRoutes.codePrefix)\(hex)?Expires=\(expires)&Signature=\(codeSignature(hex, expires))"
    }

    func codeSignature(_ hex: String, _ expires: Int) -> String {
        Digest.hmacSHA256(key: linkKey, Array("\(hex)\n\(expires)".utf8)).hexString
    }

    /// `GET /_swiftlet/code/{sha256}`: the zip behind a `Code.Location` link.
    func downloadCode(_ request: HTTPRequest, hex: String) throws(AWSError) -> HTTPResponse {
        guard let expiresText = request.queryValue("Expires"), let expires = Int(expiresText),
            let signature = request.queryValue("Signature")
        else {
            throw AWSError(type: "AccessDenied", status: 403, message: "The code link is missing its signature.")
        }
        let expected = codeSignature(hex, expires)
        guard Self.constantTimeEqual(expected, signature) else {
            throw AWSError(type: "AccessDenied", status: 403, message: "The code link's signature does not match.")
        }
        guard Double(expires) >= Date().timeIntervalSince1970 else {
            throw AWSError(
                type: "AccessDenied", status: 403,
                message: "The code link has expired; call GetFunction again for a fresh one.")
        }
        let zip: Data
        do {
            zip = try codeStore.load(sha256Hex: hex)
        } catch {
            throw AWSError(type: "NoSuchKey", status: 404, message: "The code no longer exists.")
        }
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/zip")]), body: zip)
    }

    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// A function as a qualified name resolved it: the version's record, and the alias the name went through, if any.
struct QualifiedFunction {
    var record: FunctionRecord
    var alias: FunctionAlias?
    /// The qualifier the caller named, in the name or the `Qualifier` parameter; nil for none.
    var qualifier: String?
}
