/// Lambda's rules for resource tags, and the tags that set Swiftlet's own per-function options.
public enum TagRules {
    /// The tag choosing a function's network: `outbound` (the default: the node, and the outside through the
    /// host's routes) or `none` (nothing beyond the Runtime API). Honoured by sandboxes with their own network.
    public static let networkKey = "swiftlet:network"
    /// The values ``networkKey`` takes.
    public static let networkValues = ["outbound", "none"]

    /// Whether a function with `tags` reaches beyond its Runtime API.
    public static func routesOutside(_ tags: [String: String]) -> Bool {
        tags[networkKey] != "none"
    }

    /// Checks tags about to be added to a resource that already has `existing` ones.
    public static func validate(
        adding tags: [String: String], to existing: [String: String], limits: Limits
    )
        -> AWSError?
    {
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
            if key.isEmpty || key.count > 128 {
                return .invalidParameterValue(
                    "Tag key '\(key)' must be between 1 and 128 characters long.")
            }
            if key.lowercased().hasPrefix("aws:") {
                return .invalidParameterValue("Tag keys starting with 'aws:' are reserved for AWS use: \(key)")
            }
            if value.count > 256 {
                return .invalidParameterValue(
                    "Tag value for key '\(key)' must be at most 256 characters long.")
            }
            if key == networkKey, !networkValues.contains(value) {
                return .invalidParameterValue(
                    "Tag \(networkKey) must be \(networkValues.joined(separator: " or ")), not '\(value)'.")
            }
        }
        let merged = existing.merging(tags) { _, new in new }
        if merged.count > limits.tagsPerResource {
            return .invalidParameterValue("Number of tags exceeds resource tag limit.")
        }
        return nil
    }
}
