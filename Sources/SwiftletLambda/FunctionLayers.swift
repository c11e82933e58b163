import Foundation
import SwiftletModel
import SwiftletStore

extension LambdaService {
    /// Most layers a function may use.
    static let maximumLayers = 5

    /// Turns the `Layers` of CreateFunction or UpdateFunctionConfiguration (already checked for format with
    /// `LayerReference.listViolations`) into what the configuration keeps.
    ///
    /// Errors: `InvalidParameterValueException` (more than five, two versions of one layer, another region, a
    /// version that does not exist), `AccessDeniedException` (another account's layer whose policy does not
    /// grant this account).
    func resolveLayers(_ arns: [String], in context: RequestContext) throws(AWSError) -> [FunctionLayer] {
        if arns.count > Self.maximumLayers {
            throw .invalidParameterValue("Cannot reference more than \(Self.maximumLayers) layers.")
        }
        var resolved: [FunctionLayer] = []
        var seen: [String: String] = [:]
        for arn in arns {
            let reference = try LayerReference.parseVersionArn(arn, field: "layers").get()
            guard let number = reference.version, !reference.isAWSManaged else {
                throw .invalidParameterValue("Layer version \(arn) does not exist.")
            }
            if let region = reference.region, region != context.region {
                throw .invalidParameterValue(
                    "Layer version \(arn) is in region \(region); a function in \(context.region) can use layers of "
                        + "its own region only.")
            }
            let layerKey = "\(reference.accountId ?? context.accountId):\(reference.name)"
            if let other = seen[layerKey] {
                throw .invalidParameterValue(
                    "Two different versions of the same layer are not allowed to be referenced in the same function. "
                        + "\(other) and \(arn) are versions of the same layer.")
            }
            seen[layerKey] = arn
            let version: LayerVersion
            do {
                version = try readableLayerVersion(reference, version: number, in: context)
            } catch  where error.type == "ResourceNotFoundException" {
                throw .invalidParameterValue("Layer version \(arn) does not exist.")
            }
            resolved.append(version.functionLayer)
        }
        return resolved
    }

    /// Throws when the function's code and its layers together expand past the unzipped limit.
    func checkCombinedSize(code: CodeDescriptor, layers: [FunctionLayer]) throws(AWSError) {
        guard !layers.isEmpty else { return }
        let total = layers.reduce(code.unpackedSize) { $0 + $1.unpackedSize }
        if total > limits.codeSizeUnzipped {
            throw .invalidParameterValue(
                "Function code combined with layers exceeds the maximum allowed size of \(limits.codeSizeUnzipped) "
                    + "bytes. The actual size is \(total) bytes.")
        }
    }

    /// Checks again, while `codeLock` is held, that every layer version still exists, so that a row referencing a
    /// layer's blob is never committed after a concurrent DeleteLayerVersion released that blob.
    func confirmLayersExist(_ layers: [FunctionLayer]) throws(AWSError) {
        for layer in layers {
            guard case .success(let reference) = LayerReference.parseVersionArn(layer.arn),
                let accountId = reference.accountId, let region = reference.region, let number = reference.version
            else { continue }
            let exists = try storage("read the layer version") {
                try store.layerVersion(accountId: accountId, region: region, name: reference.name, version: number)
            }
            if exists == nil { throw .invalidParameterValue("Layer version \(layer.arn) does not exist.") }
        }
    }
}
