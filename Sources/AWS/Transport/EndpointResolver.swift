/// Finds a service's URL as the AWS SDKs do: `AWS_ENDPOINT_URL_<SERVICE>`, then
/// `AWS_ENDPOINT_URL`, then `endpoint_url` in the profile (`AWS_PROFILE`, or default), then the
/// public regional endpoint.
package struct EndpointResolver: Sendable {
    package let environment: [String: String]
    /// The settings of the profile in use, from the shared config and credentials files.
    package let profile: [String: String]

    package init(environment: [String: String]) {
        self.environment = environment
        let name = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        profile = ProfileFiles.load(environment: environment).profiles[name] ?? [:]
    }

    package func endpoint(for service: AWSService, region: String) -> String {
        if let url = nonEmpty("AWS_ENDPOINT_URL_\(service.endpointID)") ?? nonEmpty("AWS_ENDPOINT_URL")
            ?? profile["endpoint_url"].flatMap({ $0.isEmpty ? nil : $0 })
        {
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return "https://\(service.endpointPrefix).\(region).\(suffix)"
    }

    /// The region from AWS_REGION, then AWS_DEFAULT_REGION.
    package var environmentRegion: String? {
        nonEmpty("AWS_REGION") ?? nonEmpty("AWS_DEFAULT_REGION")
    }

    private func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}
