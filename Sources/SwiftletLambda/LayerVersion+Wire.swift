import Foundation
import SwiftletModel
import SwiftletSystem

extension LayerVersion {
    /// The `GetLayerVersionResponse` (and `PublishLayerVersionResponse`) shape, members in the model's order; empty
    /// compatibility lists and an absent license are left out, as AWS leaves them out.
    func wireVersion(location: String) -> JSONValue {
        .members([
            (
                "Content",
                .object([
                    ("Location", .string(location)), ("CodeSha256", .string(code.sha256Base64)),
                    ("CodeSize", .integer(code.size)),
                ])
            ),
            ("LayerArn", .string(layerArn)),
            ("LayerVersionArn", .string(arn)),
            ("Description", .string(description)),
            ("CreatedDate", .string(Timestamp.lambda(created))),
            ("Version", .integer(Int64(version))),
            ("CompatibleArchitectures", Self.list(compatibleArchitectures)),
            ("CompatibleRuntimes", Self.list(compatibleRuntimes)),
            ("LicenseInfo", licenseInfo.map(JSONValue.string)),
        ])
    }

    /// The `LayerVersionsListItem` shape of ListLayerVersions and ListLayers.
    func wireListItem() -> JSONValue {
        .members([
            ("LayerVersionArn", .string(arn)),
            ("Version", .integer(Int64(version))),
            ("Description", .string(description)),
            ("CreatedDate", .string(Timestamp.lambda(created))),
            ("CompatibleRuntimes", Self.list(compatibleRuntimes)),
            ("LicenseInfo", licenseInfo.map(JSONValue.string)),
            ("CompatibleArchitectures", Self.list(compatibleArchitectures)),
        ])
    }

    private static func list(_ values: [String]) -> JSONValue? {
        values.isEmpty ? nil : .array(values.map(JSONValue.string))
    }
}
