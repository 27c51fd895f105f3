import Foundation
import Testing
@testable import Manifests

/// A service.yaml whose container list starts on line 7.
func serviceFile(
    _ containers: String, network: String = "awsvpc", compat: String = "FARGATE",
    cpu: String = "\"256\"", memory: String = "\"512\"", tail: String = ""
) -> String {
    """
    taskDefinition:
      cpu: \(cpu)
      memory: \(memory)
      networkMode: \(network)
      requiresCompatibilities: [\(compat)]
      containerDefinitions:
    \(containers)
    \(tail)
    """
}

let app = "    - {name: app, image: \"r/api:1\"}"

struct BadInput: CustomTestStringConvertible, Sendable {
    let name: String
    let files: [String: String?]
    let file: String
    let line: Int
    let message: String
    var severity: Diagnostic.Severity = .error
    var contents: [String: ManifestFiles.Content] = [:]

    var testDescription: String { name }
}

@Suite struct BadInputTests {
    static let api = "services/api/service.yaml"
    static let staging = "environments/staging/environment.yaml"
    static let prodAPI = "environments/prod/api.yaml"

    static let cases: [BadInput] = [
        BadInput(
            name: "YAML syntax", files: [api: "taskDefinition:\n  cpu: [256\n  memory: 512\n"],
            file: api, line: 3, message: "YAML syntax error"),
        BadInput(
            name: "JSON syntax",
            files: [api: "taskDefinitionFile: td.json\n", "services/api/td.json": "{\n  \"family\": \"x\",\n  \"cpu\": \"256\" \"memory\": 1\n}\n"],
            file: "services/api/td.json", line: 3, message: "JSON syntax error"),
        BadInput(
            name: "unknown top-level field", files: [api: "taskDefiniton: {}\n"],
            file: api, line: 1, message: "unknown field 'taskDefiniton' in service.yaml; did you mean 'taskDefinition'?"),
        BadInput(
            name: "unknown container field", files: [api: serviceFile("    - name: app\n      imagee: r/api:1")],
            file: api, line: 8, message: "unknown field 'imagee' in ContainerDefinition; did you mean 'image'?"),
        BadInput(
            name: "unknown environment field", files: [staging: "target: {local: {}}\npolcy: {}\n"],
            file: staging, line: 2, message: "unknown field 'polcy' in environment.yaml; did you mean 'policy'?"),
        BadInput(
            name: "unknown policy field", files: [staging: "target: {local: {}}\npolicy:\n  selfHeall: true\n"],
            file: staging, line: 3, message: "unknown field 'selfHeall' in policy; did you mean 'selfHeal'?"),
        BadInput(
            name: "integer expected", files: [prodAPI: "service:\n  desiredCount: two\n"],
            file: prodAPI, line: 2, message: "expected an integer, found the string \"two\""),
        BadInput(
            name: "list expected", files: [api: "taskDefinition:\n  containerDefinitions: {name: app}\n"],
            file: api, line: 2, message: "expected a list, found a mapping"),
        BadInput(
            name: "boolean expected", files: [api: serviceFile("    - name: app\n      image: r/api:1\n      essential: yes")],
            file: api, line: 9, message: "expected true or false, found the string \"yes\""),
        BadInput(
            name: "string expected, boolean given",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      environment: [{name: DEBUG, value: true}]")],
            file: api, line: 9, message: "expected a string, found true; quote it"),
        BadInput(
            name: "enum value misspelt", files: [api: serviceFile(app, network: "awsvcp")],
            file: api, line: 4, message: "'awsvcp' is not one of bridge, host, awsvpc, none; did you mean 'awsvpc'?"),
        BadInput(
            name: "enum value in wrong case", files: [prodAPI: "service:\n  launchType: fargate\n"],
            file: prodAPI, line: 2, message: "did you mean 'FARGATE'?"),
        BadInput(
            name: "no containers", files: [api: "taskDefinition:\n  family: x\n"],
            file: api, line: 2, message: "missing required field 'containerDefinitions'"),
        BadInput(
            name: "secret without valueFrom", files: [api: serviceFile("    - name: app\n      image: r/api:1\n      secrets:\n        - name: DB")],
            file: api, line: 10, message: "missing required field 'valueFrom' in Secret"),
        BadInput(
            name: "container without name", files: [api: serviceFile("    - image: r/api:1")],
            file: api, line: 7, message: "a container needs a 'name'"),
        BadInput(
            name: "duplicate container names", files: [api: serviceFile("\(app)\n    - {name: app, image: r/b:1}")],
            file: api, line: 8, message: "duplicate container name 'app' (first at manifests/services/api/service.yaml:7:"),
        BadInput(
            name: "dependsOn unknown container",
            files: [
                api: serviceFile(
                    "    - name: app\n      image: r/api:1\n      dependsOn: [{containerName: envy, condition: START}]\n    - {name: envoy, image: r/e:1}"
                )
            ],
            file: api, line: 9, message: "dependsOn names container 'envy', which this task definition does not have; did you mean 'envoy'?"),
        BadInput(
            name: "links unknown container",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      links: [\"db:database\"]", network: "bridge", compat: "EC2")],
            file: api, line: 9, message: "links names container 'db'"),
        BadInput(
            name: "volumesFrom unknown container",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      volumesFrom: [{sourceContainer: data}]")],
            file: api, line: 9, message: "volumesFrom names container 'data'"),
        BadInput(
            name: "mount of unknown volume",
            files: [
                api: serviceFile(
                    "    - name: app\n      image: r/api:1\n      mountPoints: [{sourceVolume: cache, containerPath: /c}]",
                    tail: "  volumes: [{name: cahce}]")
            ],
            file: api, line: 9, message: "mountPoints names volume 'cache', which is not in 'volumes'; did you mean 'cahce'?"),
        BadInput(
            name: "same port in two awsvpc containers",
            files: [
                api: serviceFile(
                    "    - {name: app, image: r/a:1, portMappings: [{containerPort: 80}]}\n    - {name: side, image: r/b:1, portMappings: [{containerPort: 80}]}"
                )
            ],
            file: api, line: 8, message: "container port 80/tcp is mapped twice"),
        BadInput(
            name: "same port twice in one bridge container",
            files: [
                api: serviceFile(
                    "    - name: app\n      image: r/a:1\n      portMappings:\n        - {containerPort: 80}\n        - {containerPort: 80, hostPort: 8080}",
                    network: "bridge", compat: "EC2")
            ],
            file: api, line: 11, message: "container port 80/tcp is mapped twice"),
        BadInput(
            name: "Fargate memory not offered", files: [api: serviceFile(app, memory: "\"4096\"")],
            file: api, line: 3, message: "Fargate does not offer memory 4096 MiB with cpu 256; valid: 512, 1024, 2048"),
        BadInput(
            name: "Fargate cpu not offered", files: [api: serviceFile(app, cpu: "\"300\"")],
            file: api, line: 2, message: "Fargate does not offer cpu 300"),
        BadInput(
            name: "Fargate needs awsvpc", files: [api: serviceFile(app, network: "bridge")],
            file: api, line: 4, message: "Fargate requires networkMode: awsvpc"),
        BadInput(
            name: "cpu is not a size", files: [api: serviceFile(app, cpu: "lots")],
            file: api, line: 2, message: "cpu 'lots' is not a size"),
        // Numbers to Double, but no size: converting them to an integer used to stop the process.
        BadInput(
            name: "cpu infinite", files: [api: serviceFile(app, cpu: "\"inf vCPU\"")],
            file: api, line: 2, message: "cpu 'inf vCPU' is not a size"),
        BadInput(
            name: "cpu beyond every integer", files: [api: serviceFile(app, cpu: "\"1e300 vCPU\"")],
            file: api, line: 2, message: "cpu '1e300 vCPU' is not a size"),
        BadInput(
            name: "memory not a number", files: [api: serviceFile(app, memory: "\"nan GB\"")],
            file: api, line: 3, message: "memory 'nan GB' is not a size"),
        BadInput(
            name: "stateFile outside the repository", files: [staging: "target:\n  local: {stateFile: \"../../etc/cron.d/x\"}\n"],
            file: staging, line: 2, message: "stateFile '../../etc/cron.d/x' must be a path inside the repository"),
        BadInput(
            name: "stateFile absolute", files: [staging: "target:\n  local: {stateFile: /root/.ssh/authorized_keys}\n"],
            file: staging, line: 2, message: "stateFile '/root/.ssh/authorized_keys' must be a path inside the repository"),
        BadInput(
            name: "container without an image after every overlay", files: [api: serviceFile("    - {name: app, memory: 128}")],
            file: api, line: 7, message: "container 'app' has no image in"),
        BadInput(
            name: "container with an empty image", files: [api: serviceFile("    - {name: app, image: \"\"}")],
            file: api, line: 7, message: "container 'app' has an empty image in"),
        BadInput(
            name: "version quoted, and not 1", files: ["berth.yaml": "# shop\n\nversion: \"2\"\n"],
            file: "berth.yaml", line: 3, message: "unsupported version 2; this berth reads version 1"),
        BadInput(
            name: "deployFrom not a branch", files: [staging: "target: {local: {}}\npolicy:\n  deployFrom: \"main..x\"\n"],
            file: staging, line: 3, message: "'main..x' is not a branch name"),
        BadInput(
            name: "unknown variable",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      environment: [{name: G, value: \"${vars.logGrop}\"}]")],
            file: api, line: 9, message: "unknown variable '${vars.logGrop}'; did you mean 'vars.logGroup'?"),
        BadInput(
            name: "unterminated variable", files: [api: serviceFile("    - name: app\n      image: \"r/api:${release.version\"")],
            file: api, line: 8, message: "unterminated '${'"),
        BadInput(
            name: "latest in a protected environment", files: [prodAPI: "images:\n  app: registry.example.com/api:latest\n"],
            file: prodAPI, line: 2, message: "image 'registry.example.com/api:latest' is mutable (no tag or 'latest'); prod is protected"),
        BadInput(
            name: "untagged image in a protected environment", files: [prodAPI: "# pinned\nimages: {app: registry.example.com/api}\n"],
            file: prodAPI, line: 2, message: "is mutable"),
        BadInput(
            name: "plaintext secret",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      environment:\n        - {name: DB_PASSWORD, value: hunter2}")],
            file: api, line: 10, message: "environment variable 'DB_PASSWORD' looks like a secret in plain text", severity: .warning),
        BadInput(
            name: "overlay without a base", files: ["environments/prod/billing.yaml": "{}\n"],
            file: "environments/prod/billing.yaml", line: 1,
            message: "overlay for service 'billing', but services/billing/service.yaml does not exist"),
        BadInput(
            name: "images names an unknown container", files: [prodAPI: "images:\n  ap: r/api:1.0.0\n"],
            file: prodAPI, line: 2, message: "images names container 'ap', but service 'api' has no such container; did you mean 'app'?"),
        BadInput(
            name: "file too large", files: [prodAPI: "# " + String(repeating: "x", count: 1 << 20) + "\n"],
            file: prodAPI, line: 1, message: "over the limit of 1048576"),
        BadInput(
            name: "alias expansion bomb",
            files: [
                prodAPI: """
                a: &a [x, x, x, x, x, x, x, x, x, x]
                b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
                e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
                f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
                """
            ],
            file: prodAPI, line: 1, message: "expands to more than 100000 values"),
        BadInput(
            name: "flow nesting too deep",
            files: [prodAPI: "service:\n  x: " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "\n"],
            file: prodAPI, line: 2, message: "nesting deeper than 128 levels"),
        BadInput(
            name: "block nesting too deep",
            files: [prodAPI: (0..<70).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"],
            file: prodAPI, line: 66, message: "nesting deeper than 64 levels"),
        BadInput(
            name: "path leaves the root", files: [api: "taskDefinitionFile: ../../../etc/passwd\n"],
            file: api, line: 1, message: "path '../../../etc/passwd' leaves the manifest root"),
        BadInput(
            name: "task definition file missing", files: [api: "\ntaskDefinitionFile: td.json\n"],
            file: api, line: 2, message: "taskDefinitionFile 'td.json' not found"),
        BadInput(
            name: "symlinked file", files: [:], file: prodAPI, line: 1, message: "is a symbolic link; berth does not follow links",
            contents: [prodAPI: .symlink]),
        BadInput(
            name: "not UTF-8", files: [:], file: prodAPI, line: 2, message: "file is not valid UTF-8",
            contents: [prodAPI: .data(Array("service:\n  desiredCount: 1 # caf".utf8) + [0xE9, 0x0A])]),
        BadInput(
            name: "duplicate key", files: [prodAPI: "service:\n  desiredCount: 1\n  desiredCount: 2\n"],
            file: prodAPI, line: 2, message: "duplicate key 'desiredCount'"),
        BadInput(name: "no berth.yaml", files: ["berth.yaml": nil], file: "berth.yaml", line: 1, message: "berth.yaml not found"),
        BadInput(name: "unsupported version", files: ["berth.yaml": "version: 2\n"], file: "berth.yaml", line: 1, message: "unsupported version 2"),
        BadInput(
            name: "promotion names a missing environment", files: ["berth.yaml": "version: 1\npromotion: [staging, production]\n"],
            file: "berth.yaml", line: 2, message: "promotion names environment 'production', but environments/production/ does not exist"),
        BadInput(
            name: "notification URL not http", files: [staging: "target: {local: {}}\nnotifications:\n  - url: ftp://hooks.example.com/x\n"],
            file: staging, line: 3, message: "notification URL 'ftp://hooks.example.com/x' is not http(s)"),
        BadInput(
            name: "notification event unknown",
            files: ["berth.yaml": "version: 1\nnotifications:\n  - {url: \"https://h.example.com\", events: [deployed]}\n"],
            file: "berth.yaml", line: 3, message: "deployed"),
        BadInput(
            name: "forge of an unknown type", files: ["berth.yaml": "version: 1\nforge:\n  type: bitbucket\n"],
            file: "berth.yaml", line: 3, message: "bitbucket"),
        BadInput(
            name: "forge repository without owner", files: ["berth.yaml": "version: 1\nforge: {type: github,\n  repository: manifests}\n"],
            file: "berth.yaml", line: 3, message: "forge repository 'manifests' is not of the form owner/name"),
        BadInput(
            name: "forge API URL not http", files: ["berth.yaml": "version: 1\nforge:\n  type: gitlab\n  apiUrl: git@gitlab.example.com\n"],
            file: "berth.yaml", line: 4, message: "forge API URL 'git@gitlab.example.com' is not http(s)"),
        BadInput(
            name: "forge token written in berth.yaml", files: ["berth.yaml": "version: 1\nforge: {type: github, token: ghp_x}\n"],
            file: "berth.yaml", line: 2, message: "token"),
        BadInput(
            name: "autoPromote against the promotion order",
            files: ["berth.yaml": "version: 1\npromotion: [staging, prod]\nautoPromote: {from: prod, to: staging, mode: commit}\n"],
            file: "berth.yaml", line: 3, message: "autoPromote moves prod to staging, which is not a step of promotion: [staging, prod]"),
        BadInput(
            name: "autoPromote by pull request without a forge",
            files: ["berth.yaml": "version: 1\npromotion: [staging, prod]\nautoPromote:\n  from: staging\n  to: prod\n"],
            file: "berth.yaml", line: 4, message: "autoPromote opens pull requests, and berth.yaml has no forge: to open them on"),
        BadInput(
            name: "autoPromote rebase on GitLab",
            files: [
                "berth.yaml":
                    "version: 1\npromotion: [staging, prod]\nforge: {type: gitlab, repository: g/p}\nautoPromote: {from: staging, to: prod, autoMerge: true,\n  mergeMethod: rebase}\n"
            ],
            file: "berth.yaml", line: 5, message: "GitLab merges with merge or squash; rebase is GitHub's"),
        BadInput(
            name: "autoMerge of commits",
            files: [
                "berth.yaml": "version: 1\npromotion: [staging, prod]\nautoPromote: {from: staging, to: prod, mode: commit,\n  autoMerge: true}\n"
            ],
            file: "berth.yaml", line: 4, message: "autoMerge applies to pull requests; mode: commit has none"),
        BadInput(
            name: "image policy with two orders",
            files: [
                "berth.yaml":
                    "version: 1\npromotion: [staging, prod]\nimages:\n  - {service: api, repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api, semver: \">=1.0.0\", latest: true}\n"
            ],
            file: "berth.yaml", line: 4, message: "images: give exactly one of semver, pattern or latest (found semver, latest)"),
        BadInput(
            name: "image policy semver range unreadable",
            files: [
                "berth.yaml":
                    "version: 1\npromotion: [staging, prod]\nimages:\n  - service: api\n    repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api\n    semver: \">=1.x\"\n"
            ],
            file: "berth.yaml", line: 6, message: "images: '>=1.x' in semver range '>=1.x' is not a version or comparator"),
        BadInput(
            name: "image policy pattern unreadable",
            files: [
                "berth.yaml":
                    "version: 1\npromotion: [staging, prod]\nimages:\n  - service: api\n    repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api\n    pattern: \"^main-(\\\\d+\"\n"
            ],
            file: "berth.yaml", line: 6, message: "is not a regular expression berth reads: '(' without ')'"),
        BadInput(
            name: "image policy for a missing container",
            files: [
                "berth.yaml":
                    "version: 1\npromotion: [staging, prod]\nimages:\n  - service: api\n    container: ap\n    repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api\n    latest: true\n"
            ],
            file: "berth.yaml", line: 5, message: "images names container 'ap', but api has app; did you mean 'app'?"),
        BadInput(
            name: "image policy not on ECR",
            files: [
                "berth.yaml":
                    "version: 1\npromotion: [staging, prod]\nimages:\n  - service: api\n    repository: docker.io/shop/api\n    latest: true\n"
            ],
            file: "berth.yaml", line: 5, message: "images: repository 'docker.io/shop/api' is not an ECR repository"),
        BadInput(
            name: "image policy for a missing service",
            files: [
                "berth.yaml":
                    "version: 1\npromotion: [staging, prod]\nimages:\n  - service: apl\n    repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api\n    latest: true\n"
            ],
            file: "berth.yaml", line: 4, message: "images names service 'apl', but services/apl/ does not exist; did you mean 'api'?"),
        BadInput(
            name: "notification without url", files: [staging: "target: {local: {}}\nnotifications:\n  - {secretEnv: KEY}\n"],
            file: staging, line: 3, message: "missing required field 'url'"),
        BadInput(name: "no target", files: [staging: "vars: {logGroup: x}\n"], file: staging, line: 1, message: "no target"),
        BadInput(
            name: "two targets", files: [staging: "target:\n  local: {}\n  aws: {region: us-east-1, cluster: c}\n"],
            file: staging, line: 2, message: "target names both 'local' and 'aws'; choose one"),
        BadInput(
            name: "aws target without cluster", files: [staging: "target:\n  aws: {region: us-east-1}\n"],
            file: staging, line: 2, message: "missing required field 'cluster' in target.aws"),
        BadInput(
            name: "account id not 12 digits", files: [staging: "target:\n  aws: {region: us-east-1, cluster: c, accountId: \"1234\"}\n"],
            file: staging, line: 2, message: "accountId must be 12 digits"),
        BadInput(
            name: "dependsOn cycle",
            files: [
                api: serviceFile(
                    "    - {name: a, image: r/a:1, dependsOn: [{containerName: b, condition: START}]}\n    - {name: b, image: r/b:1, dependsOn: [{containerName: a, condition: START}]}"
                )
            ],
            file: api, line: 7, message: "containers depend on each other in a cycle: a -> b -> a"),
        BadInput(
            name: "template braces", files: [api: serviceFile("    - name: app\n      image: \"{{ must_env `IMAGE` }}\"")],
            file: api, line: 8, message: "unrendered template placeholder {{ must_env `IMAGE` }}"),
        BadInput(
            name: "two documents", files: [prodAPI: "service: {}\n---\nservice: {}\n"],
            file: prodAPI, line: 2, message: "expected a single document"),
        BadInput(
            name: "both taskDefinition and taskDefinitionFile",
            files: [api: "taskDefinition: {containerDefinitions: [{name: a, image: r/a:1}]}\ntaskDefinitionFile: td.json\n"],
            file: api, line: 2, message: "set either 'taskDefinition' or 'taskDefinitionFile', not both"),
        BadInput(
            name: "environment folder without environment.yaml", files: ["environments/qa/api.yaml": "{}\n"],
            file: "environments/qa/environment.yaml", line: 1, message: "environments/qa/ has no environment.yaml"),
        BadInput(
            name: "vars value is a list", files: [staging: "target: {local: {}}\nvars:\n  hosts: [a, b]\n"],
            file: staging, line: 3, message: "'vars.hosts' must be a single value"),
        BadInput(
            name: "overlay list item without its key", files: [prodAPI: "taskDefinition:\n  containerDefinitions:\n    - image: r/api:2.0.0\n"],
            file: prodAPI, line: 3, message: "each item of 'containerDefinitions' in an overlay needs 'name'"),
        BadInput(
            name: "alias as a key", files: [prodAPI: "a: &k desiredCount\nservice:\n  *k : 3\n"],
            file: prodAPI, line: 3, message: "an alias cannot be used as a mapping key"),
        BadInput(
            name: "launchType with capacity providers",
            files: [prodAPI: "service:\n  launchType: FARGATE\n  capacityProviderStrategy: [{capacityProvider: FARGATE_SPOT}]\n"],
            file: prodAPI, line: 2, message: "set either launchType or capacityProviderStrategy, not both"),
        BadInput(
            name: "freeze without a reason", files: ["environments/prod/freeze.yaml": "by: ops\n"],
            file: "environments/prod/freeze.yaml", line: 1, message: "missing required field 'reason' in freeze.yaml"),
        BadInput(
            name: "freeze until is not a date", files: ["environments/prod/freeze.yaml": "reason: launch\nuntil: next tuesday\n"],
            file: "environments/prod/freeze.yaml", line: 2, message: "until 'next tuesday' is not a date"),
        BadInput(
            name: "review from a missing environment", files: ["berth.yaml": "version: 1\nreview:\n  branches: [\"review/*\"]\n  from: stagin\n"],
            file: "berth.yaml", line: 4,
            message: "review.from names environment 'stagin', but environments/stagin/ does not exist; did you mean 'staging'?"),
        BadInput(
            name: "review name without the branch",
            files: ["berth.yaml": "version: 1\nreview:\n  branches: [\"review/*\"]\n  from: staging\n  name: preview\n"],
            file: "berth.yaml", line: 5, message: "review.name 'preview' must contain ${branch}"),
        BadInput(
            name: "review name with a slash",
            files: ["berth.yaml": "version: 1\nreview:\n  branches: [\"review/*\"]\n  from: staging\n  name: pr/${branch}\n"],
            file: "berth.yaml", line: 5, message: "review.name 'pr/${branch}' may only hold letters, digits, '-', '_' and ${branch}"),
        BadInput(
            name: "review ttl not a duration",
            files: ["berth.yaml": "version: 1\nreview:\n  branches: [\"review/*\"]\n  from: staging\n  ttl: three days\n"],
            file: "berth.yaml", line: 5, message: "review.ttl 'three days' is not a duration"),
        BadInput(
            name: "review limit below one",
            files: ["berth.yaml": "version: 1\nreview:\n  branches: [\"review/*\"]\n  from: staging\n  maxEnvironments: 0\n"],
            file: "berth.yaml", line: 5, message: "review.maxEnvironments must be at least 1"),
        BadInput(
            name: "review service not in the base",
            files: ["berth.yaml": "version: 1\nreview:\n  branches: [\"review/*\"]\n  from: staging\n  services: [api, wbe]\n"],
            file: "berth.yaml", line: 5, message: "review.services names 'wbe', which does not run in staging"),
        BadInput(
            name: "review without branches", files: ["berth.yaml": "version: 1\nreview:\n  branches: []\n  from: staging\n"],
            file: "berth.yaml", line: 3, message: "review.branches needs at least one branch glob"),
        BadInput(
            name: "review field misspelt", files: ["berth.yaml": "version: 1\nreview:\n  branches: [\"review/*\"]\n  from: staging\n  tll: 3d\n"],
            file: "berth.yaml", line: 5, message: "unknown field 'tll' in review; did you mean 'ttl'?"),
        BadInput(
            name: "trust material inside an environment",
            files: [
                "berth.yaml": "version: 1\nsigning:\n  allowedSigners: environments/prod/signers\n",
                "environments/prod/signers": "x\n",
            ],
            file: "berth.yaml", line: 3, message: "trust material must live outside environments/"),
        BadInput(
            name: "trust material missing", files: ["berth.yaml": "version: 1\nsigning: {openpgpKeys: keys/release.asc}\n"],
            file: "berth.yaml", line: 2, message: "signing.openpgpKeys: 'keys/release.asc' is not a file in the manifests"),
        BadInput(
            name: "task for a service that does not run here",
            files: [
                staging:
                    "target: {local: {}}\nvars: {logGroup: x}\nrelease: {version: \"1\"}\ntasks:\n  - {name: migrate, when: before, service: apu}\n"
            ],
            file: staging, line: 5, message: "task 'migrate' uses service 'apu', which does not run here; did you mean 'api'?"),
        BadInput(
            name: "task at an unknown time",
            files: [staging: "target: {local: {}}\nrelease: {version: \"1\"}\ntasks:\n  - {name: m, when: during, service: api}\n"],
            file: staging, line: 4, message: "'during' is not one of before, after"),
        BadInput(
            name: "service in two waves", files: [staging: "target: {local: {}}\nrelease: {version: \"1\"}\nwaves: [[api], [api]]\n"],
            file: staging, line: 3, message: "service 'api' is in two waves"),
        BadInput(name: "tab indentation", files: [prodAPI: "service:\n\tdesiredCount: 1\n"], file: prodAPI, line: 2, message: "YAML syntax error"),
        BadInput(
            name: "unclosed quote", files: [prodAPI: "service:\n  serviceName: \"api\n  desiredCount: 1\n"], file: prodAPI, line: 4,
            message: "YAML syntax error"),
        BadInput(
            name: "service field misspelt", files: [prodAPI: "service:\n  desiredcount: 1\n"], file: prodAPI, line: 2,
            message: "unknown field 'desiredcount' in service settings; did you mean 'desiredCount'?"),
        BadInput(
            name: "deployment configuration field misspelt", files: [prodAPI: "service:\n  deploymentConfiguration: {maximumPercnt: 200}\n"],
            file: prodAPI, line: 2, message: "unknown field 'maximumPercnt' in DeploymentConfiguration; did you mean 'maximumPercent'?"),
        BadInput(
            name: "port mapping field misspelt",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      portMappings: [{containerport: 80}]")], file: api, line: 9,
            message: "unknown field 'containerport' in PortMapping; did you mean 'containerPort'?"),
        BadInput(
            name: "log driver misspelt",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      logConfiguration: {logDriver: awslog}")], file: api, line: 9,
            message: "'awslog' is not one of"),
        BadInput(
            name: "compatibility misspelt", files: [api: serviceFile(app, compat: "FARGAT")], file: api, line: 5, message: "did you mean 'FARGATE'?"),
        BadInput(
            name: "container cpu as text", files: [api: serviceFile("    - name: app\n      image: r/api:1\n      cpu: half")], file: api, line: 9,
            message: "expected an integer, found the string \"half\""),
        BadInput(
            name: "memory as a list", files: [api: serviceFile("    - name: app\n      image: r/api:1\n      memory: [128]")], file: api, line: 9,
            message: "expected an integer, found a list"),
        BadInput(
            name: "environment as a mapping", files: [api: serviceFile("    - name: app\n      image: r/api:1\n      environment: {A: b}")],
            file: api, line: 9, message: "expected a list, found a mapping"),
        BadInput(
            name: "health check command as text",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      healthCheck: {command: curl localhost}")], file: api, line: 9,
            message: "expected a list, found the string \"curl localhost\""),
        BadInput(
            name: "dependsOn condition misspelt",
            files: [
                api: serviceFile(
                    "    - name: app\n      image: r/api:1\n      dependsOn: [{containerName: app2, condition: HEALTH}]\n    - {name: app2, image: r/b:1}"
                )
            ], file: api, line: 9, message: "did you mean 'HEALTHY'?"),
        BadInput(
            name: "ulimit without limits", files: [api: serviceFile("    - name: app\n      image: r/api:1\n      ulimits: [{name: nofile}]")],
            file: api, line: 9, message: "missing required field 'softLimit' in Ulimit"),
        BadInput(
            name: "environment file without type",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      environmentFiles: [{value: arn:aws:s3:::b/x.env}]")], file: api,
            line: 9, message: "missing required field 'type' in EnvironmentFile"),
        BadInput(
            name: "memory is not a size", files: [api: serviceFile(app, memory: "\"lots\"")], file: api, line: 3,
            message: "memory 'lots' is not a size"),
        BadInput(
            name: "Windows on Fargate below 1 vCPU",
            files: [api: serviceFile(app, tail: "  runtimePlatform: {operatingSystemFamily: WINDOWS_SERVER_2022_CORE}")], file: api, line: 2,
            message: "Windows on Fargate needs at least 1 vCPU"),
        BadInput(
            name: "desired count with a fraction", files: [prodAPI: "service:\n  desiredCount: 1.5\n"], file: prodAPI, line: 2,
            message: "expected an integer, found the number 1.5"),
        BadInput(
            name: "promotion not a list", files: ["berth.yaml": "version: 1\npromotion: staging\n"], file: "berth.yaml", line: 2,
            message: "expected a list, found the string \"staging\""),
        BadInput(
            name: "berth.yaml field misspelt", files: ["berth.yaml": "version: 1\npromotions: [staging, prod]\n"], file: "berth.yaml", line: 2,
            message: "unknown field 'promotions' in berth.yaml; did you mean 'promotion'?"),
        BadInput(
            name: "version as words", files: ["berth.yaml": "version: one\n"], file: "berth.yaml", line: 1,
            message: "expected an integer, found the string \"one\""),
        BadInput(
            name: "release value is a mapping", files: [staging: "target: {local: {}}\nrelease:\n  version: {major: 1}\n"], file: staging, line: 3,
            message: "'release.version' must be a single value"),
        BadInput(
            name: "local target field misspelt", files: [staging: "target: {local: {clustr: x}}\nrelease: {version: \"1\"}\n"], file: staging,
            line: 1, message: "unknown field 'clustr' in target.local; did you mean 'cluster'?"),
        BadInput(
            name: "role ARN is not a role",
            files: [staging: "target:\n  aws: {region: us-east-1, cluster: c, roleArn: arn:aws:iam::123456789012:user/bob}\n"], file: staging,
            line: 2, message: "is not an IAM role ARN"),
        BadInput(
            name: "policy flag as text", files: [staging: "target: {local: {}}\nrelease: {version: \"1\"}\npolicy: {protected: yes}\n"],
            file: staging, line: 3, message: "expected true or false, found the string \"yes\""),
        BadInput(
            name: "images value is a list", files: [prodAPI: "images:\n  app: [r/api:1]\n"], file: prodAPI, line: 2,
            message: "expected a string, found a list"),
        BadInput(
            name: "task definition file is a link", files: [api: "taskDefinitionFile: td.json\n"], file: "services/api/td.json", line: 1,
            message: "is a symbolic link", contents: ["services/api/td.json": .symlink]),
        BadInput(
            name: "service name with a space",
            files: [
                "services/my api/service.yaml": "taskDefinition: {containerDefinitions: [{name: a, image: r/a:1}]}\n",
                "environments/prod/my api.yaml": "{}\n",
            ], file: "services/my api/service.yaml", line: 1, message: "service name 'my api' may only hold letters, digits"),
        BadInput(
            name: "environment name with a dot", files: ["environments/qa.1/environment.yaml": "target: {local: {}}\n"],
            file: "environments/qa.1/environment.yaml", line: 1, message: "environment name 'qa.1' may only hold letters, digits"),
        BadInput(
            name: "two service files", files: ["services/api/service.yml": "taskDefinition: {containerDefinitions: [{name: a, image: r/a:1}]}\n"],
            file: "services/api/service.yml", line: 1, message: "both services/api/service.yaml and services/api/service.yml exist; keep one"),
        BadInput(
            name: "not UTF-8 in a service file", files: [:], file: api, line: 1, message: "file is not valid UTF-8",
            contents: [api: .data([0x74, 0x61, 0x73, 0x6B, 0xFF, 0xFE, 0x0A])]),
        BadInput(
            name: "duplicate key in JSON",
            files: [api: "taskDefinitionFile: td.json\n", "services/api/td.json": "{\n  \"family\": \"a\",\n  \"family\": \"b\"\n}\n"],
            file: "services/api/td.json", line: 2, message: "duplicate key 'family'"),
        BadInput(
            name: "JSON without its closing brace",
            files: [api: "taskDefinitionFile: td.json\n", "services/api/td.json": "{\n  \"family\": \"a\",\n  \"containerDefinitions\": []\n"],
            file: "services/api/td.json", line: 4, message: "JSON syntax error"),
        BadInput(
            name: "deep nesting in JSON",
            files: [
                api: "taskDefinitionFile: td.json\n", "services/api/td.json": String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
            ], file: "services/api/td.json", line: 1, message: "nesting deeper than 128 levels"),
        BadInput(
            name: "alias bomb in a service",
            files: [
                api:
                    "a: &a [x, x, x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
            ], file: api, line: 1, message: "expands to more than 100000 values"),
        BadInput(
            name: "container depends on itself",
            files: [api: serviceFile("    - {name: a, image: r/a:1, dependsOn: [{containerName: a, condition: START}]}")], file: api, line: 7,
            message: "containers depend on each other in a cycle: a -> a"),
        BadInput(
            name: "family with a slash", files: [api: serviceFile(app, tail: "  family: shop/api")], file: api, line: 8,
            message: "family 'shop/api' may only hold letters, digits"),
        BadInput(
            name: "service name with a dot", files: [prodAPI: "service: {serviceName: api.v2}\n"], file: prodAPI, line: 1,
            message: "serviceName 'api.v2' may only hold letters, digits"),
        BadInput(
            name: "latest from the base in a protected environment", files: [api: serviceFile("    - {name: app, image: \"r/api:latest\"}")],
            file: api, line: 7, message: "image 'r/api:latest' is mutable"),
        BadInput(
            name: "unknown variable in service settings", files: [prodAPI: "service:\n  tags: [{key: team, value: \"${vars.team}\"}]\n"],
            file: prodAPI, line: 2, message: "unknown variable '${vars.team}'"),
        BadInput(
            name: "unterminated variable in an overlay image", files: [prodAPI: "images: {app: \"r/api:${release.version\"}\n"], file: prodAPI,
            line: 1, message: "unterminated '${'"),
        BadInput(
            name: "negative desired count", files: [prodAPI: "service:\n  desiredCount: -1\n"],
            file: prodAPI, line: 2, message: "desiredCount -1 is out of range: it must be from 0 to 2147483647"),
        BadInput(
            name: "desired count past 32 bits", files: [prodAPI: "service:\n  desiredCount: 9223372036854775807\n"],
            file: prodAPI, line: 2, message: "desiredCount 9223372036854775807 is out of range"),
        BadInput(
            name: "port past 65535", files: [api: serviceFile("    - {name: app, image: r/api:1, portMappings: [{containerPort: 70000}]}")],
            file: api, line: 7, message: "containerPort 70000 is out of range: it must be from 0 to 65535"),
        BadInput(
            name: "quoted port past 65535", files: [api: serviceFile("    - {name: app, image: r/api:1, portMappings: [{containerPort: \"-1\"}]}")],
            file: api, line: 7, message: "containerPort -1 is out of range"),
        BadInput(
            name: "health check interval below ECS's minimum",
            files: [api: serviceFile("    - name: app\n      image: r/api:1\n      healthCheck: {command: [CMD, x], interval: 1}")],
            file: api, line: 9, message: "interval 1 is out of range: it must be from 5 to 300"),
        BadInput(
            name: "ephemeral storage past 200 GiB", files: [api: serviceFile(app, tail: "  ephemeralStorage: {sizeInGiB: 500}")],
            file: api, line: 8, message: "sizeInGiB 500 is out of range: it must be from 21 to 200"),
        BadInput(
            name: "capacity provider weight past the model's bound",
            files: [prodAPI: "service:\n  capacityProviderStrategy: [{capacityProvider: FARGATE, weight: 5000}]\n"],
            file: prodAPI, line: 2, message: "weight 5000 is out of range: it must be from 0 to 1000"),
        BadInput(
            name: "one-off task timeout of zero",
            files: [staging: "target: {local: {}}\nrelease: {version: \"1\"}\ntasks: [{name: m, when: before, service: api, timeoutSeconds: 0}]\n"],
            file: staging, line: 3, message: "timeoutSeconds 0 is out of range"),
        BadInput(
            name: "variables in a cycle",
            files: [staging: "target: {local: {}}\nrelease: {version: \"1\"}\nvars:\n  a: \"${vars.b}\"\n  b: \"x-${vars.a}\"\n"],
            file: staging, line: 4, message: "variable 'vars.a' is part of a reference cycle: ${vars.a} -> ${vars.b} -> ${vars.a}"),
        BadInput(
            name: "a variable naming itself", files: [staging: "target: {local: {}}\nrelease: {version: \"${release.version}\"}\n"],
            file: staging, line: 2, message: "variable 'release.version' is part of a reference cycle"),
        BadInput(
            name: "a variable naming an unknown one",
            files: [staging: "target: {local: {}}\nrelease: {version: \"1\"}\nvars:\n  logGroup: /ecs/${vars.tem}\n  team: x\n"],
            file: staging, line: 4, message: "variable 'vars.logGroup' refers to unknown variable '${vars.tem}'; did you mean 'vars.team'?"),
        BadInput(
            name: "variable expansion bomb",
            files: [
                staging: "target: {local: {}}\nrelease: {version: \"1\"}\nvars:\n"
                    + (0..<24).map { "  v\($0): \"${vars.v\($0 + 1)}${vars.v\($0 + 1)}\"\n" }.joined() + "  v24: xxxxxxxx\n"
            ],
            file: staging, line: 14, message: "expands to more than 65536 bytes"),
        BadInput(
            name: "a chain of variables deeper than 32",
            files: [
                staging: "target: {local: {}}\nrelease: {version: \"1\"}\nvars:\n"
                    + (0..<40).map { "  v\($0): \"${vars.v\($0 + 1)}\"\n" }.joined() + "  v40: end\n"
            ],
            file: staging, line: 36, message: "variable 'vars.v32' refers through more than 32 variables"),
        BadInput(
            name: "a YAML tag does not hide the file's other errors",
            files: [prodAPI: "images: {app: !!binary cmVnaXN0cnkvYXBpOjE=}\nservice: {desiredCount: -5}\n"],
            file: prodAPI, line: 2, message: "desiredCount -5 is out of range"),
        BadInput(
            name: "YAML binary tag", files: [prodAPI: "images: {app: !!binary cmVnaXN0cnkvYXBpOjE=}\n"],
            file: prodAPI, line: 1, message: "YAML tag '!!binary' is not supported"),
        BadInput(
            name: "YAML language tag on a scalar", files: [prodAPI: "service:\n  serviceName: !!python/object:os.system api\n"],
            file: prodAPI, line: 2, message: "YAML tag '!!python/object:os.system' is not supported"),
        BadInput(
            name: "custom YAML tag on a mapping", files: [prodAPI: "service: !Ref {desiredCount: 1}\n"],
            file: prodAPI, line: 1, message: "YAML tag '!Ref' is not supported"),
        BadInput(
            name: "YAML set", files: [prodAPI: "service:\n  tags: !!set {a, b}\n"],
            file: prodAPI, line: 2, message: "YAML tag '!!set' is not supported"),
        BadInput(
            name: "service folder that is a symbolic link", files: [api: nil], file: prodAPI, line: 1,
            message: "overlay for service 'api', but manifests/services/api is a symbolic link; berth does not follow links",
            contents: ["services/api": .symlink]),
        BadInput(
            name: "service folder that is a submodule", files: [api: nil], file: prodAPI, line: 1,
            message: "overlay for service 'api', but manifests/services/api is a git submodule; berth reads only this repository",
            contents: ["services/api": .submodule]),
        BadInput(
            name: "environment folder that is a symbolic link", files: [:], file: "environments/qa", line: 1,
            message: "manifests/environments/qa is a symbolic link", contents: ["environments/qa": .symlink]),
        BadInput(
            name: "environment folder that is a submodule", files: [:], file: "environments/qa", line: 1,
            message: "manifests/environments/qa is a git submodule", contents: ["environments/qa": .submodule]),
        BadInput(
            name: "a Git LFS pointer instead of the file",
            files: [
                prodAPI:
                    "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
            ],
            file: prodAPI, line: 1, message: "is a Git LFS pointer, not the file"),
        BadInput(
            name: "task size from a variable that is not a size",
            files: [
                staging: "target: {local: {}}\nrelease: {version: \"1\"}\nvars: {size: lots}\n",
                api: serviceFile(app, cpu: "\"${vars.size}\""),
            ],
            file: api, line: 2, message: "cpu 'lots' is not a size"),
        BadInput(
            name: "container cpu from a variable that is not a number",
            files: [
                staging: "target: {local: {}}\nrelease: {version: \"1\"}\nvars: {units: lots}\n",
                api: serviceFile("    - {name: app, image: r/api:1, cpu: \"${vars.units}\"}"),
            ],
            file: api, line: 7, message: "expected an integer, found the string \"lots\""),
        BadInput(
            name: "codeDeploy on a service CodeDeploy does not deploy",
            files: [prodAPI: "service:\n  desiredCount: 1\ncodeDeploy:\n  application: shop\n"],
            file: prodAPI, line: 4, message: "codeDeploy is set, but the service's deploymentController is not CODE_DEPLOY"),
        BadInput(
            name: "codeDeploy application without its group",
            files: [prodAPI: "service:\n  deploymentController: {type: CODE_DEPLOY}\ncodeDeploy:\n  application: shop\n"],
            file: prodAPI, line: 4, message: "codeDeploy names an application without its deploymentGroup"),
        BadInput(
            name: "a berth: tag written in git", files: [prodAPI: "service:\n  tags: [{key: team, value: a}, {key: \"berth:tags\", value: team}]\n"],
            file: prodAPI, line: 2, message: "tag key 'berth:tags': berth sets the berth: tags itself"),
        BadInput(
            name: "a tag key twice", files: [prodAPI: "service:\n  tags:\n    - {key: team, value: a}\n    - {key: team, value: b}\n"],
            file: prodAPI, line: 4, message: "tag key 'team' appears twice"),
        BadInput(
            name: "an aws: tag", files: [prodAPI: "service:\n  tags: [{key: \"aws:cloudformation:stack\", value: x}]\n"],
            file: prodAPI, line: 2, message: "the aws: prefix is AWS's own"),
        BadInput(
            name: "a linear step out of range",
            files: [
                prodAPI: """
                service:
                  deploymentConfiguration:
                    strategy: LINEAR
                    linearConfiguration: {stepPercent: -5}
                """
            ], file: prodAPI, line: 4, message: "stepPercent must be between 3 and 100, not -5"),
        BadInput(
            name: "a canary configuration under blue/green",
            files: [
                prodAPI: """
                service:
                  deploymentConfiguration:
                    strategy: BLUE_GREEN
                    canaryConfiguration: {canaryPercent: 10}
                """
            ], file: prodAPI, line: 4, message: "canaryConfiguration is for strategy CANARY, and this one is BLUE_GREEN"),
        BadInput(
            name: "a CODE_DEPLOY service without a load balancer", files: [prodAPI: "service:\n  deploymentController: {type: CODE_DEPLOY}\n"],
            file: prodAPI, line: 2, message: "a CODE_DEPLOY service needs a load balancer with containerName and containerPort"),
        BadInput(
            name: "a codeDeploy hook that is no Lambda function",
            files: [
                prodAPI: """
                service:
                  deploymentController: {type: CODE_DEPLOY}
                  loadBalancers: [{targetGroupArn: tg, containerName: app, containerPort: 80}]
                codeDeploy:
                  hooks: {beforeInstall: "rm -rf /"}
                """
            ], file: prodAPI, line: 5, message: "codeDeploy.hooks.beforeInstall must name a Lambda function"),
        BadInput(
            name: "the service to update, under allowUnknownFields",
            files: [
                "berth.yaml": "version: 1\npromotion: [staging, prod]\nallowUnknownFields: true\n",
                prodAPI: "service:\n  service: someone-elses\n",
            ],
            file: prodAPI, line: 2, message: "field 'service' is not for manifests"),
        BadInput(
            name: "codeDeploy hook misspelt", files: [prodAPI: "codeDeploy:\n  hooks: {beforeInstal: fn}\n"],
            file: prodAPI, line: 2, message: "unknown field 'beforeInstal' in codeDeploy.hooks; did you mean 'beforeInstall'?"),
        BadInput(
            name: "circuit breaker on a CODE_DEPLOY service",
            files: [
                prodAPI: """
                service:
                  deploymentController: {type: CODE_DEPLOY}
                  deploymentConfiguration:
                    deploymentCircuitBreaker: {enable: true, rollback: true}
                """
            ],
            file: prodAPI, line: 4, message: "the deployment circuit breaker works only with the ECS deployment controller"),
    ]

    @Test func thereAreEnoughCases() {
        #expect(Self.cases.filter { $0.severity == .error }.count >= 100)
    }

    @Test(arguments: cases)
    func reportsFileLineAndMessage(_ bad: BadInput) throws {
        var files = baseFiles()
        for (path, text) in bad.files { files[path] = text }
        var contents = files.compactMapValues { $0 }.mapValues { ManifestFiles.Content.data(Array($0.utf8)) }
        for (path, content) in bad.contents { contents[path] = content }
        let loaded = ManifestLoader().load(ManifestFiles(files: contents, displayPrefix: "manifests/"))

        let matching = loaded.diagnostics.sorted.filter { $0.message.contains(bad.message) }
        let found = try #require(
            matching.first, "no diagnostic says '\(bad.message)'; got:\n\(loaded.diagnostics.sorted.map(\.description).joined(separator: "\n"))")
        #expect(found.severity == bad.severity)
        #expect(found.location.file == "manifests/" + bad.file)
        #expect(found.location.line == bad.line, "\(found)")
        #expect(found.location.column >= 1)
        #expect(found.description.hasPrefix("manifests/\(bad.file):\(bad.line):"))
        if bad.severity == .error {
            // Something is blocked, and a blocked environment renders nothing.
            #expect(!loaded.blockedEnvironments.isEmpty)
            for env in loaded.blockedEnvironments { #expect(loaded.rendered(environment: env).isEmpty) }
        }
    }

    /// A value checked in its overlay and again after merging is one problem, reported once.
    @Test func aProblemIsReportedOnceWhateverPathsItWasCheckedAt() {
        var files = baseFiles()
        files[Self.prodAPI] = "taskDefinition:\n  containerDefinitions:\n    - name: app\n      portMappings: [{containerPort: 70000}]\n"
        let found = load(files).diagnostics.sorted.filter { $0.message.contains("containerPort 70000 is out of range") }
        #expect(found.count == 1, "\(found)")
    }

    @Test func theValidBaseHasNoDiagnostics() {
        let loaded = load(baseFiles())
        #expect(loaded.diagnostics.items.isEmpty, "\(loaded.diagnostics.items)")
        #expect(loaded.blockedEnvironments.isEmpty)
        #expect(loaded.rendered.count == 2)
    }

    @Test func secretValuesNeverAppearInMessages() {
        var files = baseFiles()
        files[Self.api] = serviceFile(
            "    - name: app\n      image: r/api:1\n      environment: [{name: API_TOKEN, value: canary-s3cr3t-value}, {name: X, value: AKIAABCDEFGHIJKLMNOP}]"
        )
        let loaded = load(files)
        #expect(loaded.diagnostics.warnings.count >= 2)
        #expect(
            loaded.diagnostics.items.allSatisfy {
                !$0.description.contains("canary-s3cr3t-value") && !$0.description.contains("AKIAABCDEFGHIJKLMNOP")
            })
    }

    @Test func allErrorsOfARunAreReportedTogetherAndSorted() {
        var files = baseFiles()
        files[Self.prodAPI] = "service:\n  desiredCount: two\n"
        files[Self.staging] = "target: {local: {}}\nrelease: {version: \"1\"}\npolcy: {}\n"
        files["berth.yaml"] = "version: 3\n"
        let errors = load(files).diagnostics.sorted.filter { $0.severity == .error }
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.map(\.location.file) == ["berth.yaml", Self.prodAPI, Self.staging])
    }
}
