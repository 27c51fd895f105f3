import AWS
import ECSModel
import Foundation

extension LocalECS {
    package func registerTaskDefinition(_ input: ECSAPI.RegisterTaskDefinitionRequest) async throws -> ECSAPI.RegisterTaskDefinitionResponse {
        try await run("RegisterTaskDefinition") { state in
            try LocalRegistration.validate(input)
            let family = input.family!
            let revision = (state.revisionCounts[family] ?? 0) + 1
            let taskArn = arn("task-definition/\(family):\(revision)")
            let definition = LocalRegistration.register(
                input, revision: revision, arn: taskArn,
                registeredBy: "arn:aws:iam::\(accountId):root", now: now())
            try state.add(definition, tags: input.tags, family: family, revision: revision)
            return ECSAPI.RegisterTaskDefinitionResponse(taskDefinition: definition, tags: input.tags)
        }
    }

    package func describeTaskDefinition(_ input: ECSAPI.DescribeTaskDefinitionRequest) async throws -> ECSAPI.DescribeTaskDefinitionResponse {
        try await run("DescribeTaskDefinition") { state in
            guard let reference = input.taskDefinition, let definition = try find(reference, in: state) else {
                throw fail("ClientException", "Unable to describe task definition.")
            }
            let tags = input.include?.contains("TAGS") == true ? (try state.tags(of: definition.taskDefinitionArn!) ?? []) : nil
            return ECSAPI.DescribeTaskDefinitionResponse(taskDefinition: definition, tags: tags)
        }
    }

    package func listTaskDefinitions(_ input: ECSAPI.ListTaskDefinitionsRequest) async throws -> ECSAPI.ListTaskDefinitionsResponse {
        try await run("ListTaskDefinitions") { state in
            // One family is looked up, not found among all of them (a first sync asks once per
            // service); revisions are read in the order asked for until the page is full, so the
            // newest ten of a family cost ten, however long its history.
            let descending = input.sort == "DESC"
            var families = input.familyPrefix.map { [$0] } ?? state.revisionCounts.keys.sorted()
            if descending { families.reverse() }
            let status = input.status ?? ECSStatus.active
            let start = input.nextToken.flatMap(Int.init) ?? 0, size = max(1, input.maxResults ?? 100)
            var arns: [String] = []
            var more = false
            families: for family in families {
                let count = state.revisionCounts[family] ?? 0
                for number in descending ? stride(from: count, through: 1, by: -1) : stride(from: 1, through: count, by: 1) {
                    guard state.status(family, number) == status else { continue }
                    let arn = arn("task-definition/\(family):\(number)")
                    if arns.count == start + size {
                        more = true
                        break families
                    }
                    arns.append(arn)
                }
            }
            return ECSAPI.ListTaskDefinitionsResponse(taskDefinitionArns: Array(arns.dropFirst(start)), nextToken: more ? String(start + size) : nil)
        }
    }

    package func deregisterTaskDefinition(_ input: ECSAPI.DeregisterTaskDefinitionRequest) async throws -> ECSAPI.DeregisterTaskDefinitionResponse {
        try await run("DeregisterTaskDefinition") { state in
            guard let reference = input.taskDefinition, reference.contains(":"), var definition = try find(reference, in: state),
                let family = definition.family, let revision = definition.revision
            else {
                throw fail("ClientException", "The specified task definition does not exist.")
            }
            definition.status = ECSStatus.inactive
            definition.deregisteredAt = Timestamp(now())
            // The body stays where it is: only the status changes.
            let key = LocalState.revisionKey(family, revision)
            state.revisions[key]?.status = ECSStatus.inactive
            state.revisions[key]?.deregisteredAt = definition.deregisteredAt
            return ECSAPI.DeregisterTaskDefinitionResponse(taskDefinition: definition)
        }
    }

    /// One page of `items` after `token` (an offset), as ECS paginates.
    nonisolated static func page<R>(_ items: [String], maxResults: Int, token: String?, _ make: ([String], String?) -> R) -> R {
        let start = token.flatMap(Int.init) ?? 0
        let end = min(items.count, start + max(1, maxResults))
        let slice = start < items.count ? Array(items[start..<end]) : []
        return make(slice, end < items.count ? String(end) : nil)
    }
}

extension LocalECS {
    package func tagResource(_ input: ECSAPI.TagResourceRequest) async throws -> ECSAPI.TagResourceResponse {
        try await run("TagResource") { state in
            let resource = try taggable(input.resourceArn, state)
            var tags = try state.tags(of: resource) ?? []
            for tag in input.tags ?? [] {
                tags.removeAll { $0.key == tag.key }
                tags.append(tag)
            }
            state.tags[resource] = tags
            return ECSAPI.TagResourceResponse()
        }
    }

    package func untagResource(_ input: ECSAPI.UntagResourceRequest) async throws -> ECSAPI.UntagResourceResponse {
        try await run("UntagResource") { state in
            let resource = try taggable(input.resourceArn, state)
            let keys = Set(input.tagKeys ?? [])
            state.tags[resource] = try (state.tags(of: resource) ?? []).filter { !keys.contains($0.key ?? "") }
            return ECSAPI.UntagResourceResponse()
        }
    }

    package func listTagsForResource(_ input: ECSAPI.ListTagsForResourceRequest) async throws -> ECSAPI.ListTagsForResourceResponse {
        try await run("ListTagsForResource") { state in
            ECSAPI.ListTagsForResourceResponse(tags: try state.tags(of: try taggable(input.resourceArn, state)) ?? [])
        }
    }

    /// Task definitions, services and clusters can carry tags.
    nonisolated func taggable(_ resource: String?, _ state: LocalState) throws -> String {
        guard let resource else { throw fail("InvalidParameterException", "resourceArn is required.") }
        if resource.contains(":task-definition/"), try find(resource, in: state) != nil { return resource }
        if state.services.values.contains(where: { $0.service.serviceArn == resource }) { return resource }
        if state.clusters.values.contains(where: { $0.arn == resource }) { return resource }
        throw fail("InvalidParameterException", "The specified resource is not found.")
    }
}
