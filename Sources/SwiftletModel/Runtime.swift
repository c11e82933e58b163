/// The runtimes Swiftlet accepts, and the families they belong to.
public enum RuntimeCatalog {
    /// How a runtime family starts a function.
    public enum Family: String, Sendable {
        case python
        case nodejs
        /// A `bootstrap` executable in the code or a layer.
        case custom
    }

    /// Runtime identifiers Swiftlet runs, in the order AWS lists them.
    public static let supported: [String] = [
        "nodejs22.x", "nodejs20.x", "nodejs18.x",
        "python3.13", "python3.12", "python3.11", "python3.10", "python3.9",
        "provided.al2023", "provided.al2", "provided",
    ]

    /// Identifiers AWS no longer accepts for new or updated functions.
    public static let deprecated: Set<String> = [
        "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x",
        "nodejs14.x", "nodejs16.x", "python2.7", "python3.6", "python3.7", "python3.8", "dotnetcore1.0",
        "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "ruby2.5", "ruby2.7", "go1.x", "java8",
    ]

    /// The family of a supported runtime.
    public static func family(of runtime: String) -> Family? {
        guard supported.contains(runtime) else { return nil }
        if runtime.hasPrefix("python") { return .python }
        if runtime.hasPrefix("nodejs") { return .nodejs }
        return .custom
    }

    /// Why `runtime` is refused, or nil when it is accepted.
    public static func rejection(of runtime: String) -> AWSError? {
        if supported.contains(runtime) { return nil }
        if deprecated.contains(runtime) {
            return .invalidParameterValue(
                "The runtime parameter of \(runtime) is no longer supported for creating or updating AWS Lambda "
                    + "functions. We recommend you use a supported runtime while creating or updating functions.")
        }
        return .invalidParameterValue(
            "Value \(runtime) at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["
                + supported.joined(separator: ", ") + "] or be a valid ARN")
    }
}
