import Git

/// A repository of services that differ in shape, as a real team's do: one container, an app
/// with a proxy sidecar, secrets and a log configuration from variables, a monitoring agent
/// with many environment variables and a health check, and a Fargate task definition kept in
/// a JSON file. Benchmarks run on it beside the uniform case, so no figure holds only for
/// identical services.
enum VariedManifests {
    static let environments = ["staging", "prod"]

    /// The whole tree: berth.yaml, the environments, and `services` bases with an overlay in
    /// each environment pinning the app image. `clusters`: each environment on a local cluster
    /// of its name (to deploy them side by side), not all on the default one.
    static func files(services: Int, root: String = "manifests", clusters: Bool = false) -> [FileChange] {
        var changes: [FileChange] = [.write("\(root)/berth.yaml", "version: 1\npromotion: [staging, prod]\n")]
        for env in environments {
            changes.append(
                .write(
                    "\(root)/environments/\(env)/environment.yaml",
                    """
                    target: {local: {\(clusters ? "cluster: \(env)" : "")}}
                    vars: {logGroup: "/ecs/${env}/${service}", domain: \(env).example.com, secrets: "arn:aws:ssm:us-east-1:123456789012:parameter/\(env)"}
                    release: {version: "1.0"}

                    """))
        }
        for index in 0..<services {
            changes += service(index, revision: 0, root: root)
            for env in environments { changes.append(.write("\(root)/environments/\(env)/svc\(index).yaml", overlay(index, env: env, build: 0))) }
        }
        return changes
    }

    /// An environment's overlay: the app image pinned to a build, and prod's own counts.
    static func overlay(_ index: Int, env: String, build: Int) -> String {
        let count = env == "prod" ? "service: {desiredCount: \(2 + index % 3)}\n" : ""
        return "images: {app: \"registry.example.com/svc\(index):1.\(build)\"}\n" + count
    }

    /// A service's base files; `revision` changes a setting, as a base change does.
    static func service(_ index: Int, revision: Int, root: String) -> [FileChange] {
        let folder = "\(root)/services/svc\(index)"
        let memory = 256 + 64 * (revision % 4)
        switch index % 5 {
        case 0:
            return [
                .write(
                    "\(folder)/service.yaml",
                    """
                    taskDefinition:
                      containerDefinitions:
                        - {name: app, image: "registry.example.com/svc\(index):${release.version}", memory: \(memory), portMappings: [{containerPort: 8080}]}
                    service: {desiredCount: 1}

                    """)
            ]
        case 1:
            return [
                .write(
                    "\(folder)/service.yaml",
                    """
                    taskDefinition:
                      networkMode: awsvpc
                      containerDefinitions:
                        - name: app
                          image: "registry.example.com/svc\(index):${release.version}"
                          memory: \(memory)
                          portMappings: [{containerPort: 8080}]
                          dependsOn: [{containerName: envoy, condition: HEALTHY}]
                        - name: envoy
                          image: public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod
                          memory: 128
                          essential: true
                          healthCheck: {command: [CMD-SHELL, "curl -s http://localhost:9901/ready"], interval: 5, retries: 3}
                    service: {desiredCount: 2, enableExecuteCommand: true}

                    """)
            ]
        case 2:
            return [
                .write(
                    "\(folder)/service.yaml",
                    """
                    taskDefinition:
                      executionRoleArn: arn:aws:iam::123456789012:role/svc\(index)-execution
                      containerDefinitions:
                        - name: app
                          image: "registry.example.com/svc\(index):${release.version}"
                          memory: \(memory)
                          secrets:
                            - {name: DATABASE_URL, valueFrom: "${vars.secrets}/svc\(index)/database"}
                            - {name: API_KEY, valueFrom: "${vars.secrets}/svc\(index)/api-key"}
                          logConfiguration:
                            logDriver: awslogs
                            options: {awslogs-group: "${vars.logGroup}", awslogs-region: us-east-1, awslogs-stream-prefix: app}
                    service: {desiredCount: 1}

                    """)
            ]
        case 3:
            let variables = (0..<10).map { "        - {name: SETTING_\($0), value: \"value-\($0)-${env}\"}" }.joined(separator: "\n")
            return [
                .write(
                    "\(folder)/service.yaml",
                    """
                    taskDefinition:
                      containerDefinitions:
                        - name: app
                          image: "registry.example.com/svc\(index):${release.version}"
                          memory: \(memory)
                          environment:
                    \(variables)
                          healthCheck: {command: [CMD-SHELL, "wget -qO- localhost:8080/health"], interval: 10, timeout: 5, retries: 3}
                        - name: datadog
                          image: public.ecr.aws/datadog/agent:7
                          memory: 256
                          essential: false
                          environment: [{name: DD_SITE, value: datadoghq.eu}, {name: ECS_FARGATE, value: "true"}]
                    service: {desiredCount: 1}

                    """)
            ]
        default:
            return [
                .write(
                    "\(folder)/service.yaml",
                    """
                    taskDefinitionFile: task-definition.json
                    service:
                      desiredCount: 2
                      launchType: FARGATE
                      networkConfiguration: {awsvpcConfiguration: {subnets: [subnet-0a1b2c3d], securityGroups: [sg-0a1b2c3d], assignPublicIp: DISABLED}}
                      deploymentConfiguration: {minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: {enable: true, rollback: true}}

                    """),
                .write(
                    "\(folder)/task-definition.json",
                    """
                    {"family": "svc\(index)", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "\(1024 * (1 + revision % 2))",
                     "containerDefinitions": [{"name": "app", "image": "registry.example.com/svc\(index):${release.version}",
                       "portMappings": [{"containerPort": 8080, "protocol": "tcp"}], "essential": true}]}
                    """),
            ]
        }
    }
}
