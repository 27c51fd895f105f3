import Foundation
@testable import Manifests

/// A minimal valid manifest tree; tests add or replace files.
func baseFiles(target: String = "local: {}", policy: String = "") -> [String: String] {
    [
        "berth.yaml": "version: 1\npromotion: [staging, prod]\n",
        "environments/staging/environment.yaml": "target:\n  \(target)\nvars: {logGroup: /ecs/staging}\nrelease: {version: \"1.0.0\"}\n",
        "environments/prod/environment.yaml": "target:\n  \(target)\nrelease: {version: \"1.0.0\"}\npolicy: {protected: true\(policy)}\n",
        "services/api/service.yaml": """
        taskDefinition:
          cpu: "256"
          memory: "512"
          networkMode: awsvpc
          requiresCompatibilities: [FARGATE]
          containerDefinitions:
            - name: app
              image: registry.example.com/api:${release.version}
              portMappings: [{containerPort: 8000}]
        service: {desiredCount: 2}

        """,
        "environments/staging/api.yaml": "service: {desiredCount: 1}\n",
        "environments/prod/api.yaml": "{}\n",
    ]
}

func load(_ files: [String: String], prefix: String = "") -> LoadedManifests {
    let contents = files.mapValues { ManifestFiles.Content.data(Array($0.utf8)) }
    return ManifestLoader().load(ManifestFiles(files: contents, displayPrefix: prefix))
}

func parseJSON(_ text: String, file: String = "-") -> Node? {
    var diagnostics = Diagnostics()
    return YAMLReader().read(Array(text.utf8), file: file, into: &diagnostics)
}
