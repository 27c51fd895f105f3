import AWS
import ECS
import Foundation
import Git
import Logging
import Plan
import Records

/// What every part of the controller shares, made once from its options: the mirror, the
/// targets, the one writer of notes and its publisher, the mirror's repacks, the status page,
/// the metrics, the lease table, the log and the clock. `HeadSource`, each environment's
/// worker and the review runner take this one value instead of a list of their own.
package struct ControllerContext: Sendable {
    package let options: ControllerOptions
    package let mirror: RepositoryMirror
    package let status: ControllerStatus
    package let metrics: ControllerMetrics
    let connector: TargetConnector
    /// One writer of notes for every environment's worker and the review runner.
    let recorder: NotesRecorder
    let publisher: RecordPublisher
    /// Repacks the mirror after fetches, on a thread of its own.
    package let compactor: MirrorCompactor
    /// Leases, when several replicas share the environments.
    package let leases: LeaseStore?
    package let logger: Logger
    /// The time every scheduling decision is made at (a virtual clock in tests).
    let now: @Sendable () -> Date

    init(
        options: ControllerOptions, mirror: RepositoryMirror, connector: TargetConnector, recorder: NotesRecorder,
        metrics: ControllerMetrics, leases: LeaseStore? = nil, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.options = options
        self.mirror = mirror
        self.status = ControllerStatus()
        self.metrics = metrics
        self.connector = connector
        self.recorder = recorder
        self.publisher = RecordPublisher(recorder: recorder, remote: mirror.notesRemote, logger: logger)
        self.compactor = MirrorCompactor(mirror: mirror, logger: logger, metrics: metrics, program: options.repackProgram)
        self.leases = leases
        self.logger = logger
        self.now = now
    }

    /// The controller's parts as the options and the process's environment say: credentials
    /// for the origin and AWS, the local target's state beside a local repository (so
    /// `berth local show` there sees what the controller did), the notes author.
    static func make(
        options: ControllerOptions, environment: [String: String], logger: Logger, now: @escaping @Sendable () -> Date
    ) -> ControllerContext {
        let mirror = RepositoryMirror(
            source: options.repository, stateDirectory: options.stateDirectory,
            credentials: RemoteCredentials.fromEnvironment(environment))
        let counter = CallCounter()
        let root = (try? Repository.discover(from: options.repository))?.workingDirectory ?? options.stateDirectory
        let recorder = NotesRecorder(
            repositoryPath: mirror.path,
            deployer: DeploymentRecord.Deployer(
                kind: "controller", name: options.identity, host: ProcessInfo.processInfo.hostName, version: BerthVersion.current),
            author: NotesAuthor.from(environment: environment))
        return ControllerContext(
            options: options, mirror: mirror,
            connector: TargetConnector(repositoryRoot: root, environment: environment, counter: counter), recorder: recorder,
            metrics: ControllerMetrics(calls: counter), leases: leases(options, environment: environment, counter: counter),
            logger: logger, now: now)
    }

    /// The lease table's client, when `options.leaseTable` names one.
    private static func leases(_ options: ControllerOptions, environment: [String: String], counter: CallCounter) -> LeaseStore? {
        guard let table = options.leaseTable else { return nil }
        let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let client = AWSClient(
            region: region,
            credentials: DefaultCredentials.chain(environment: environment) { source, region in
                AWSClient(region: region, credentials: source, environment: environment)
            }, environment: environment, counter: counter)
        return LeaseStore(client: client, table: table, identity: options.identity, duration: options.leaseDuration)
    }
}

/// A part of the controller: reads the shared parts by name (`options`, `mirror`, …).
protocol ControllerPart {
    var context: ControllerContext { get }
}

extension ControllerPart {
    var options: ControllerOptions { context.options }
    var mirror: RepositoryMirror { context.mirror }
    var status: ControllerStatus { context.status }
    var metrics: ControllerMetrics { context.metrics }
    var connector: TargetConnector { context.connector }
    var recorder: NotesRecorder { context.recorder }
    var publisher: RecordPublisher { context.publisher }
    var logger: Logger { context.logger }
    var now: @Sendable () -> Date { context.now }
}
