import ArgumentParser
import Controller
import Delivery
import Foundation
import Git
import Logging
import Manifests

struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Keep every environment equal to git: fetch, reconcile, self-heal; serve health, metrics, status and a webhook.")

    @Option(help: "The manifest repository: a path or a URL.")
    var repo: String = "."

    @Option(help: "The branch to follow (default: the local repository's current branch, or main).")
    var branch: String?

    @Option(help: "The manifest root inside the repository.")
    var path: String = ""

    @Option(help: "How often to fetch (e.g. 60s).")
    var interval: DurationArgument = DurationArgument("60s")

    @Option(help: "How often to reconcile everything, for drift (e.g. 5m).")
    var resync: DurationArgument = DurationArgument("5m")

    @Option(help: "host:port for /healthz, /readyz, /metrics, /version, /api/status, /hooks/git and the status page.")
    var listen: String?

    @Option(help: "How long a fetch may take before the pass reports it stuck and keeps the last known state (e.g. 2m).")
    var fetchTimeout: DurationArgument = DurationArgument("2m")

    @Option(help: "Open HTTP connections at most; past it, new ones wait until one closes.")
    var httpMaxConnections: Int = HTTPLimits().maxConnections

    @Option(help: "How long a client may take to send a request's headers, or stay idle (e.g. 10s).")
    var httpHeaderTimeout: DurationArgument = DurationArgument("10s")

    @Option(help: "Where the controller keeps its clone (default: .berth/controller in the repository, or here).")
    var stateDir: String?

    @Option(help: "A file holding the webhook's HMAC secret (or set BERTH_WEBHOOK_SECRET).")
    var webhookSecretFile: String?

    @Option(help: "A PEM bundle of the certificate authorities HTTPS git servers are checked against (or GIT_SSL_CAINFO, SSL_CERT_FILE).")
    var gitCAFile: String?

    @Option(help: "A file holding the bearer token the status page and API need (or set BERTH_API_TOKEN); without one they read openly.")
    var apiTokenFile: String?

    @Option(help: "A DynamoDB table for leases, so several replicas share the environments.")
    var leaseTable: String?

    @Option(help: "How long a lease lasts without renewal (e.g. 60s); longer than --interval.")
    var leaseDuration: DurationArgument = DurationArgument("90s")

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Log lines as text (on stderr) or as one JSON object per line (on stdout).")
    var logFormat: LogFormat = .text

    @Option(help: "How often to look at the registries of berth.yaml's images: policies (0: every pass).")
    var imageInterval = DurationArgument("5m")

    @Flag(help: "One full pass over every environment, then exit: 0 when all converged.")
    var once = false

    func run() async throws {
        if let gitCAFile { try CertificateAuthorities.trust(file: gitCAFile) }
        let root = ManifestSource(repository: repo).repositoryRoot()
        let followed =
            branch ?? root.flatMap { try? Repository.discover(from: $0).headBranch() }.map { String($0.dropFirst("refs/heads/".count)) } ?? "main"
        var secret = ProcessInfo.processInfo.environment["BERTH_WEBHOOK_SECRET"]
        if let file = webhookSecretFile {
            secret = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let local = (try? Repository.discover(from: repo))?.workingDirectory != nil
        let base = ControllerOptions(
            repository: root ?? repo, branch: followed, path: path, interval: interval.seconds, resync: resync.seconds, listen: listen,
            stateDirectory: stateDir ?? ((root.map { $0 + "/" } ?? "") + ".berth/controller"), webhookSecret: secret,
            pollInterval: ProcessInfo.processInfo.environment["BERTH_LOCAL_PACE"] != nil || local ? 0.25 : 5)
        var options = base
        options.leaseTable = leaseTable
        options.apiToken = try APIToken.read(file: apiTokenFile, variable: ProcessInfo.processInfo.environment["BERTH_API_TOKEN"])
        guard httpMaxConnections > 0 else { throw ValidationError("--http-max-connections must be at least 1") }
        guard httpHeaderTimeout.seconds >= 0.1 else { throw ValidationError("--http-header-timeout must be at least 100ms") }
        options.http.maxConnections = httpMaxConnections
        options.fetchTimeout = fetchTimeout.seconds
        options.http.headerTimeout = httpHeaderTimeout.seconds
        options.http.bodyTimeout = httpHeaderTimeout.seconds
        options.leaseDuration = leaseDuration.seconds
        options.repackProgram = MirrorRepackProcess.ownExecutable
        if logFormat == .json { LoggingSystem.bootstrap(JSONLogHandler.init) }
        var logger = Logger(label: "berth")
        logger.logLevel = once ? .warning : .info
        options.imageInterval = imageInterval.seconds
        let controller = Controller(
            options: options, logger: logger, revert: RollbackReverter.step(manifestPath: path),
            promote: AutoPromoter.step(manifestPath: path), images: ImageUpdater.step(manifestPath: path))
        if once {
            let converged = await ControllerRunner.runOnce(controller)
            let snapshot = await controller.status.current
            print("berth controller: \(options.branch) at \(snapshot.head.map { ObjectID.short($0) } ?? "unknown")")
            if let error = snapshot.fetchError { print("  fetch failed: \(error)") }
            for environment in snapshot.environments {
                let state = environment.error.map { "error: \($0)" } ?? (environment.converged ? "converged" : "not converged")
                print("  \(environment.environment) (\(environment.target)): \(state)")
                for service in environment.services {
                    print(
                        "    \(service.service): \(service.sync.replacingOccurrences(of: "-", with: " "))\(service.reason.map { " (\($0))" } ?? "")")
                }
            }
            for review in snapshot.reviews {
                print(
                    "  \(review.name) (review of \(review.branch)): \(review.state.rawValue)"
                        + (review.services.isEmpty ? "" : " " + review.services.joined(separator: " ")) + (review.reason.map { " (\($0))" } ?? ""))
            }
            for teardown in snapshot.reviewTeardowns {
                print(
                    "  \(teardown.name) (review of \(teardown.branch)): torn down (\(teardown.reason)): "
                        + "\(teardown.report.deletedServices.count) service(s) deleted, \(teardown.report.deregistered.count) task definition(s) deregistered"
                        + (teardown.report.leftAlone.isEmpty ? "" : "; left alone: " + teardown.report.leftAlone.joined(separator: "; ")))
            }
            if let error = snapshot.reviewError { print("  review environments: \(error)") }
            if !converged { throw ExitCode.failure }
            return
        }
        try await ControllerRunner.run(controller, logger: logger)
    }
}
