// swift-tools-version:6.0
import PackageDescription

#if canImport(Glibc)
import Glibc
#endif

/// Whether this machine's glibc is 2.36 or later (declared first: the manifest runs in order).
let glibcReadsPackedRelocations: Bool = {
    #if canImport(Glibc)
    var text = [CChar](repeating: 0, count: 64)
    guard confstr(Int32(_CS_GNU_LIBC_VERSION), &text, text.count) > 0 else { return false }
    let name = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let version = (name.split(separator: " ").last ?? "").split(separator: ".").compactMap { Int($0) }
    return version.count >= 2 && (version[0], version[1]) >= (2, 36)
    #else
    return false
    #endif
}()

/// berth's programs as a release links them on Linux (deploy/'s image, berth-bench): lld, no
/// symbol exported that no library asks for (the toolchain's static runtime exports all of the
/// program's: 4.6 MiB of dynamic symbol tables), and packed relative relocations (3.3 MiB of
/// relocation records that every start reads, and keeps resident, become 47 KiB) where the
/// glibc building it reads them: a build usually runs where it is made, and glibc before 2.36
/// does not start such a program. docs/performance.md, benchmark 5.
let releaseLinking: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "--no-export-dynamic"]
            + (glibcReadsPackedRelocations ? ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] : []),
        .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "berth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
        .executable(name: "berth-bench", targets: ["berth-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // libgit2 from the system (Debian: libgit2-dev). Only `Git` imports it.
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        // Threads of berth's own for work that blocks (libgit2, flock, fsync), off Swift's
        // cooperative pool.
        .target(name: "Blocking", dependencies: ["CLibc"]),
        .target(name: "Git", dependencies: ["CGit2", .product(name: "Crypto", package: "swift-crypto")]),
        // The ECS and ECR shapes generated from botocore: no networking, so manifests and the
        // fuzzer need nothing of the AWS stack.
        .target(name: "ECSModel"),
        .target(name: "Manifests", dependencies: ["Blocking", "Git", "ECSModel", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "AWS",
            dependencies: [
                "Blocking",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "ECS", dependencies: ["AWS", "ECSModel", "Blocking", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Canonical", dependencies: ["ECSModel", "Manifests", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Records", dependencies: ["Git", "Blocking"]),
        .target(name: "Trust", dependencies: ["Git", "Manifests"]),
        .target(
            name: "Notify",
            dependencies: [
                "Manifests",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // GitHub's and GitLab's REST APIs: pull requests, comments, commit statuses.
        .target(
            name: "Forge",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        // What git wants against what ECS runs: the observer reads ECS, the planner compares.
        .target(name: "Plan", dependencies: ["Git", "Manifests", "ECSModel", "ECS", "AWS", "Canonical", "Records"]),
        // Carrying a plan out: register, create, update, wait, record each service's outcome.
        .target(name: "Apply", dependencies: ["Git", "Manifests", "ECSModel", "ECS", "AWS", "Records", "Plan"]),
        // Review environments: which branches want one, what runs, tearing down.
        .target(name: "Review", dependencies: ["Git", "Manifests", "ECSModel", "ECS", "AWS", "Plan", "Apply"]),
        // One reconcile of an environment at a commit: trust, plan, apply, records, notifications.
        .target(
            name: "Reconcile",
            dependencies: [
                "Blocking", "Git", "Manifests", "ECS", "AWS", "Records", "Trust", "Notify", "Plan", "Apply",
            ]),
        .target(
            name: "Delivery",
            dependencies: [
                "Git", "Manifests", "ECSModel", "ECS", "Canonical", "Records", "Trust", "Notify", "Plan", "Apply", "Reconcile", "Forge",
            ]),
        // glibc's malloc_trim, for the long-running controller (Swift's Glibc module lacks malloc.h).
        .target(name: "CMemory"),
        .target(
            name: "Controller",
            dependencies: [
                "Git", "Manifests", "ECS", "AWS", "Canonical", "Records", "Trust", "Notify", "Plan", "Apply", "Review", "Reconcile", "CMemory", "CLibc",
                "Blocking",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // libc calls Swift 6 cannot make without an unchecked escape hatch (stdout's buffering).
        .target(name: "CLibc"),
        .executableTarget(
            name: "berth",
            dependencies: [
                "Git", "Manifests", "ECS", "Canonical", "Records", "Plan", "Apply", "Review", "Reconcile", "Delivery", "Controller", "Adoption",
                "Forge", "CLibc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ], linkerSettings: releaseLinking),
        .target(name: "Adoption", dependencies: ["ECSModel", "ECS", "Manifests", "Canonical", "Plan", .product(name: "Yams", package: "Yams")]),
        .executableTarget(name: "manifest-fuzzer", dependencies: ["Manifests", "Canonical", "ECSModel"]),
        .executableTarget(
            name: "berth-bench",
            dependencies: [
                "Git", "Manifests", "Plan", "Apply", "Reconcile", "Records", "Notify", "ECSModel", "ECS", "AWS", "Controller", "LocalAWS", "CMemory",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], linkerSettings: releaseLinking),
        // Reads Sources/ and checks every import against the graph in docs/architecture.md.
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "RecordsTests", dependencies: ["Records", "Git", "BerthTestSupport"]),
        .testTarget(name: "GitTests", dependencies: ["Git", "BerthTestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ManifestsTests", dependencies: ["Manifests", "ECSModel", "Git", "BerthTestSupport"], exclude: ["BadInputs"]),
        // moto's server on loopback and plain HTTP calls: for the tests, and for berth-bench's peer figures.
        .target(
            name: "LocalAWS",
            dependencies: [
                "AWS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .target(
            name: "BerthTestSupport",
            dependencies: [
                "AWS", "Git", "LocalAWS",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ], path: "Tests/BerthTestSupport"),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "BerthTestSupport"]),
        .testTarget(name: "ForgeTests", dependencies: ["Forge", "BerthTestSupport"]),
        .testTarget(name: "ECSTests", dependencies: ["ECS", "ECSModel", "AWS", "BerthTestSupport"]),
        .testTarget(
            name: "ReconcileTests",
            dependencies: [
                "Reconcile", "Plan", "Apply", "Review", "Canonical", "Records", "Notify", "Manifests", "ECSModel", "ECS", "AWS", "Git",
                "BerthTestSupport",
            ],
            exclude: ["Golden"]),
        .testTarget(
            name: "DeliveryTests",
            dependencies: [
                "Delivery", "Forge", "Plan", "Apply", "Reconcile", "Records", "Trust", "Notify", "Manifests", "ECSModel", "ECS", "AWS", "Git",
                "BerthTestSupport",
            ]),
        .testTarget(
            name: "ControllerTests",
            dependencies: [
                "Controller", "Delivery", "Plan", "Apply", "Review", "Reconcile", "Records", "Manifests", "ECSModel", "ECS", "Git",
                "BerthTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "AdoptionTests",
            dependencies: ["Adoption", "Plan", "Apply", "Reconcile", "Records", "Manifests", "ECSModel", "ECS", "Git", "BerthTestSupport"]),
        .testTarget(name: "BerthCLITests", dependencies: ["Git", "berth", "BerthTestSupport", "AWS", "ECSModel", "ECS", "Forge"], exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
