import Foundation
import SwiftletModel
import SwiftletSystem

/// A deployment package checked against Lambda's rules: a real zip, no entry escaping its folder, within the size
/// limits zipped and unzipped.
struct CodePackage {
    let zip: Data
    let descriptor: CodeDescriptor

    /// Decodes and checks the base64 `ZipFile` of a request.
    static func from(base64 text: String, limits: Limits) throws(AWSError) -> CodePackage {
        guard let zip = Data(base64Encoded: text) else {
            throw .invalidRequestContent(
                "Could not parse request body into json: ZipFile holds an illegal base64 character. "
                    + "SDKs and the aws CLI encode it for you.")
        }
        return try check(zip, limits: limits)
    }

    /// Checks the zip's bytes.
    static func check(_ zip: Data, limits: Limits) throws(AWSError) -> CodePackage {
        if Int64(zip.count) > limits.codeSizeZipped {
            throw .requestTooLarge("Zipped size must be smaller than \(limits.codeSizeZipped) bytes")
        }
        let summary: ArchiveSummary
        do {
            summary = try ZipArchive.inspect(zip, unpackedLimit: limits.codeSizeUnzipped)
        } catch .tooLarge {
            throw .invalidParameterValue("Unzipped size must be smaller than \(limits.codeSizeUnzipped) bytes")
        } catch .unsafePath(let path) {
            throw .invalidParameterValue(
                "Could not unzip uploaded file: the entry '\(path)' would be written outside the function's folder. "
                    + "Remove absolute paths, '..' components and links pointing outside the package.")
        } catch {
            throw .invalidParameterValue(
                "Could not unzip uploaded file. Please check your file, then try to upload again.")
        }
        if summary.entryCount == 0 {
            throw .invalidParameterValue("Uploaded file must be a non-empty zip")
        }
        let digest = Digest.sha256(zip)
        let descriptor = CodeDescriptor(
            sha256Hex: digest.hexString, sha256Base64: Data(digest).base64EncodedString(),
            size: Int64(zip.count), unpackedSize: summary.unpackedBytes)
        return CodePackage(zip: zip, descriptor: descriptor)
    }
}

extension LambdaService {
    /// Reads `Code`/`ZipFile`-style fields: only an inline zip is accepted.
    func codePackage(from body: JSONBody, zipKey: String = "ZipFile") throws(AWSError) -> CodePackage? {
        if body.has("S3Bucket") || body.has("S3Key") {
            throw .invalidParameterValue(
                "Code from S3Bucket and S3Key is not supported by this node; upload the zip inline "
                    + "(ZipFile, or --zip-file fileb://function.zip with the aws CLI).")
        }
        if body.has("ImageUri") {
            throw .invalidParameterValue(
                "Container images are not supported by this node; deploy a .zip package with a runtime instead.")
        }
        guard let text = try body.string(zipKey) else { return nil }
        return try CodePackage.from(base64: text, limits: limits)
    }

    /// Stores the package's blob and runs `record` (which writes the rows that use it) without a concurrent
    /// removal of the same blob in between; then removes `replaced` if no function uses it any more.
    func withStoredCode<Result>(
        _ package: CodePackage?, replacing replaced: String? = nil, _ record: () throws(AWSError) -> Result
    ) throws(AWSError) -> Result {
        let outcome: Swift.Result<Result, AWSError> = codeLock.withLock { _ in
            do throws(AWSError) {
                if let package {
                    try storage("store the code") {
                        try codeStore.store(package.zip, sha256Hex: package.descriptor.sha256Hex)
                    }
                }
                return .success(try record())
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let result):
            if let replaced { releaseCode(replaced) }
            return result
        case .failure(let error):
            // The rows were not written; the blob stays only if something else already used it.
            if let package { releaseCode(package.descriptor.sha256Hex) }
            throw error
        }
    }

    /// Removes the blob when no function references it.
    func releaseCode(_ sha256Hex: String) {
        codeLock.withLock { _ in
            guard let references = try? store.codeReferences(sha256Hex: sha256Hex), references == 0 else { return }
            codeStore.remove(sha256Hex: sha256Hex)
        }
    }
}
