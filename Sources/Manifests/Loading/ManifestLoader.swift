import Blocking

/// Reads a manifest root into rendered, validated services per environment.
///
/// The shape of the repository is the contract in docs/manifests.md:
/// `berth.yaml`, `services/<service>/service.yaml`, `environments/<env>/environment.yaml` and
/// `environments/<env>/<service>.yaml`. Every error of a run is collected, never thrown.
package struct ManifestLoader: Sendable {
    package let limits: Limits

    /// File names inside an environment folder that are not service overlays.
    package static let reservedEnvironmentFiles: Set<String> = ["environment", "freeze"]
    package static let extensions = ["yaml", "yml", "json"]

    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// With `review`, the result also holds that review environment, derived from its base
    /// environment in `files` (a review branch's manifests).
    package func load(_ files: ManifestFiles, review: ReviewRequest? = nil) -> LoadedManifests {
        var run = LoadRun(files: files, reader: YAMLReader(limits: limits))
        run.review = review
        return run.load()
    }
}

/// One pass over a manifest root, holding the diagnostics of each part.
struct LoadRun {
    let files: ManifestFiles
    let reader: YAMLReader
    var global = Diagnostics()
    var serviceDiagnostics: [String: Diagnostics] = [:]
    var environmentDiagnostics: [String: Diagnostics] = [:]
    var review: ReviewRequest?
    /// Pieces of an earlier load to reuse where their files are unchanged; nil loads afresh.
    var memo: LoadMemo?
    /// The pieces this load used, computed or reused: the memo for the next one.
    var fresh: LoadMemo?
    /// Only these environments are read and rendered (the others are named, nothing more).
    var only: Set<String>?
    let reads = ReadLog()
    /// Files parsed by this load, and by the last one (kept by version).
    let parses = ParseTable()
    /// How much of this load was done rather than reused: pieces read and services rendered.
    var work = LoadWork()
    /// berth.yaml's `allowUnknownFields`, for the checks of task definitions and settings.
    var allowUnknownFields = false
    /// The folders in services/, each a service (looked up for every overlay).
    lazy var serviceFolders = Set(files.subfolders(of: "services"))
    /// Every manifest file parsed up front on every core, when the load has nothing to reuse
    /// (a cold plan, a controller's first head): `parse` takes a file from here, as if it had
    /// parsed it then. A file nothing reads costs its parse and says nothing.
    var preparsed: [String: (node: Node?, diagnostics: Diagnostics)] = [:]

    init(files: ManifestFiles, reader: YAMLReader) {
        self.files = files
        self.reader = reader
    }

    /// A piece from the memo when the files it read are unchanged, else computed (and noted
    /// with what it read).
    mutating func piece<Value: Sendable>(
        _ table: WritableKeyPath<LoadMemo, [String: LoadMemo.Piece<Value>]>, _ key: String,
        _ compute: (LoadRun, inout Diagnostics) -> Value
    ) -> LoadMemo.Piece<Value> {
        if let kept = memo?[keyPath: table][key], kept.holds(in: files) {
            fresh?[keyPath: table][key] = kept
            return kept
        }
        var diagnostics = Diagnostics()
        work.read += 1
        let (value, reads) = self.reads.recording(files) { compute(self, &diagnostics) }
        let made = LoadMemo.Piece(value: value, diagnostics: diagnostics, reads: fresh == nil ? [:] : reads, stamp: LoadMemo.stamp())
        fresh?[keyPath: table][key] = made
        return made
    }

    mutating func load() -> LoadedManifests {
        if memo == nil { preparse() }
        let config = readConfig()
        allowUnknownFields = config?.config.allowUnknownFields ?? false
        // What was read with the other setting was checked differently: none of it is kept.
        if memo?.allowUnknownFields != allowUnknownFields { memo = nil }
        fresh?.allowUnknownFields = allowUnknownFields
        var bases: [String: ServiceBase] = [:]
        var baseStamps: [String: UInt64] = [:]
        for name in serviceFolders.sorted() {
            let read = piece(\.services, name) { run, diagnostics in run.readService(name, diagnostics: &diagnostics) }
            bases[name] = read.value
            baseStamps[name] = read.stamp
            serviceDiagnostics[name] = read.diagnostics
        }
        // A linked or submodule environment folder is an environment that cannot be read:
        // listed (so it is blocked and said why), never silently missing.
        let unreadable = files.names(in: "environments").map { "environments/" + $0 }.filter { path in
            files.notAFolder(path) != nil && !ManifestLoader.extensions.contains { path.hasSuffix("." + $0) }
        }
        for path in unreadable {
            environmentDiagnostics[String(path.dropFirst("environments/".count)), default: Diagnostics()]
                .error(files.notAFolder(path)!, at: location(path))
        }
        var environmentNames = (files.subfolders(of: "environments") + unreadable.map { String($0.dropFirst("environments/".count)) }).sorted()
        var environments: [Environment] = []
        var overlays: [String: [Overlay]] = [:]
        for name in environmentNames where !unreadable.contains("environments/" + name) && only?.contains(name) != false {
            var diagnostics = Diagnostics()
            let read = readEnvironment(name, config: config, bases: bases, diagnostics: &diagnostics)
            environmentDiagnostics[name] = diagnostics
            if let (environment, environmentOverlays) = read {
                environments.append(environment)
                overlays[name] = environmentOverlays
            }
        }
        if let config {
            for (policy, node) in zip(config.config.images, config.imageNodes) {
                guard bases[policy.service] != nil || serviceFolders.contains(policy.service) else {
                    global.error(
                        "images names service '\(policy.service)', but services/\(policy.service)/ does not exist"
                            + Suggestion.hint(for: policy.service, in: serviceFolders.sorted()), at: node["service"]?.location ?? node.location,
                        field: "images.service")
                    continue
                }
                // The container, where the service's own file lists its containers.
                let names = (bases[policy.service]?.taskDefinition?["containerDefinitions"]?.items ?? []).compactMap { $0["name"]?.string }
                if let container = policy.container, !names.isEmpty, !names.contains(container) {
                    global.error(
                        "images names container '\(container)', but \(policy.service) has \(names.joined(separator: ", "))"
                            + Suggestion.hint(for: container, in: names), at: node["container"]?.location ?? node.location, field: "images.container")
                }
            }
        }
        if let config, let node = config.reviewNode, let template = config.config.review {
            checkReview(template, node: node, environments: environments, names: environmentNames)
        }
        if let review {
            deriveReview(review, environments: &environments, overlays: &overlays, names: &environmentNames)
        }
        if files.subfolders(of: "environments").isEmpty, files.contains("berth.yaml") {
            global.warning("no environments: add environments/<env>/environment.yaml", at: location("berth.yaml"))
        }
        if let config {
            // berth cannot sign: its own commits into such an environment would be refused there.
            func signed(_ name: String?) -> Bool { environments.first { $0.name == name }?.policy.requireSignedCommits == true }
            if config.config.autoPromote?.mode == .commit, let name = config.config.autoPromote?.to, signed(name), let node = config.autoPromoteNode {
                global.error(
                    "autoPromote commits to \(name), which requires signed commits berth cannot make; use mode: pull-request",
                    at: node.location, field: "autoPromote.mode")
            }
            for (policy, node) in zip(config.config.images, config.imageNodes) where policy.mode == .commit && signed(config.config.promotion.first) {
                global.error(
                    "images commits to \(config.config.promotion.first ?? ""), which requires signed commits berth cannot make; use mode: pull-request",
                    at: node.location, field: "images.mode")
            }
            for node in config.promotionNodes where !environmentNames.contains(node.string ?? "") {
                global.error(
                    "promotion names environment '\(node.string ?? "")', but environments/\(node.string ?? "")/ does not exist"
                        + Suggestion.hint(for: node.string ?? "", in: environmentNames), at: node.location, field: "promotion")
            }
        }

        // What to render is decided in order; the renderings themselves, each its own service's,
        // run on every core (`concurrentMap`), and are put back in that order.
        var slots: [(environment: String, key: LoadMemo.RenderKey, rendering: LoadMemo.Rendering?)] = []
        var jobs: [(renderer: ServiceRenderer, context: UInt64, base: UInt64, overlay: Overlay)] = []
        for environment in environments {
            let context = RenderContext(environment)
            let contextStamp = memo?.contexts[environment.name].flatMap { $0.context == context ? $0.stamp : nil } ?? LoadMemo.stamp()
            fresh?.contexts[environment.name] = (context, contextStamp)
            var expanded: [String: String]?
            for overlay in overlays[environment.name] ?? [] {
                guard let base = bases[overlay.service], let baseStamp = baseStamps[overlay.service] else { continue }
                let key = LoadMemo.RenderKey(environment: environment.name, service: overlay.service)
                let known = memo?.renderings[key]
                if let known, known.context == contextStamp, known.base == baseStamp, known.overlay == overlay.stamp {
                    slots.append((environment.name, key, known))
                    continue
                }
                if expanded == nil { expanded = fresh?.expansion(of: environment) ?? ServiceRenderer.expansion(of: environment) }
                var renderer = ServiceRenderer(environment: environment, base: base, overlay: overlay, expanded: expanded)
                renderer.allowUnknownFields = allowUnknownFields
                renderer.renderID = LoadMemo.stamp()
                jobs.append((renderer, contextStamp, baseStamp, overlay))
                slots.append((environment.name, key, nil))
            }
        }
        work.rendered += jobs.count
        var made = jobs.concurrentMap { job in
            var renderer = job.renderer
            let result = renderer.render()
            return LoadMemo.Rendering(
                context: job.context, base: job.base, overlay: job.overlay.stamp, overlayPath: job.overlay.path, result: result,
                diagnostics: renderer.diagnostics)
        }.makeIterator()
        var rendered: [RenderedService] = []
        for slot in slots {
            // Each slot without a kept rendering has the next one made, in the order decided.
            guard let rendering = slot.rendering ?? made.next() else { continue }
            fresh?.renderings[slot.key] = rendering
            if let service = rendering.result { rendered.append(service) }
            environmentDiagnostics[slot.environment, default: Diagnostics()].append(contentsOf: rendering.diagnostics)
        }

        var all = global
        for (_, d) in serviceDiagnostics { all.append(contentsOf: d) }
        for (_, d) in environmentDiagnostics { all.append(contentsOf: d) }
        var blocked = Set<String>()
        var blocking: [String: Diagnostics] = [:]
        for name in environmentNames {
            let brokenBases = (overlays[name] ?? []).compactMap { serviceDiagnostics[$0.service] }.filter(\.hasErrors)
            // A review environment stands or falls with the environment it copies.
            let brokenOrigin = review.flatMap { $0.identity.name == name ? environmentDiagnostics[$0.identity.base] : nil }.flatMap {
                $0.hasErrors ? $0 : nil
            }
            if global.hasErrors || !brokenBases.isEmpty || brokenOrigin != nil || (environmentDiagnostics[name]?.hasErrors ?? false)
                || (!environments.contains(where: { $0.name == name }) && only?.contains(name) != false)
            {
                blocked.insert(name)
                var why = global
                for diagnostics in brokenBases + [brokenOrigin, environmentDiagnostics[name]].compactMap({ $0 }) {
                    why.append(contentsOf: diagnostics)
                }
                blocking[name] = why
            }
        }
        var loaded = LoadedManifests(
            config: config?.config, environments: environments, services: bases.keys.sorted(),
            rendered: rendered.filter { !blocked.contains($0.environment) },
            diagnostics: all, blockedEnvironments: blocked, blocking: blocking, commit: files.commit,
            environmentNames: environmentNames)
        loaded.root = files.displayPrefix
        return loaded
    }

    // MARK: Files

    func location(_ path: String) -> SourceLocation { SourceLocation(file: files.display(path)) }

    /// Whether `path` exists; noted as read by the piece being computed.
    func has(_ path: String) -> Bool {
        reads.note(path)
        return files.contains(path)
    }

    /// What is at `path`; noted as read by the piece being computed.
    func content(_ path: String) -> ManifestFiles.Content? {
        reads.note(path)
        return files.files[path]
    }

    /// The one file `folder/stem.{yaml,yml,json}`, nil when there is none.
    func findFile(_ folder: String, _ stem: String, diagnostics: inout Diagnostics) -> String? {
        let prefix = folder.isEmpty ? "" : folder + "/"
        let candidates = ManifestLoader.extensions.map { "\(prefix)\(stem).\($0)" }.filter { has($0) }
        if candidates.count > 1 {
            diagnostics.error("both \(candidates.joined(separator: " and ")) exist; keep one", at: location(candidates[1]))
        }
        return candidates.first
    }

    /// Parses a file of the manifest root; symlinks and oversized files are errors.
    func parse(_ path: String, diagnostics: inout Diagnostics) -> Node? {
        switch content(path) {
        case nil:
            diagnostics.error("file not found", at: location(path))
            return nil
        case .symlink:
            diagnostics.error("is a symbolic link; berth does not follow links (they can point outside the repository)", at: location(path))
            return nil
        case .submodule:
            diagnostics.error("is a git submodule; berth reads only this repository and does not fetch submodules", at: location(path))
            return nil
        case .tooLarge(let size):
            diagnostics.error("file is \(size) bytes, over the limit of \(reader.limits.maxFileBytes)", at: location(path))
            return nil
        case .data(let bytes):
            if bytes.starts(with: Array("version https://git-lfs.github.com/spec/".utf8)) {
                diagnostics.error(
                    "is a Git LFS pointer, not the file: berth reads what git stores, so keep manifests out of LFS "
                        + "(see .gitattributes)", at: location(path))
                return nil
            }
            // Files read outside the pieces are kept parsed; a piece keeps its result instead.
            let version = fresh == nil || reads.recording ? nil : files.versions?[path]
            if let version, let kept = parses.old[path], kept.version == version {
                parses.new[path] = kept
                diagnostics.append(contentsOf: kept.diagnostics)
                return kept.node
            }
            let (node, found) = preparsed[path] ?? Self.read(bytes, path, files: files, reader: reader)
            if let version { parses.new[path] = LoadMemo.Parsed(version: version, node: node, diagnostics: found) }
            diagnostics.append(contentsOf: found)
            return node
        }
    }

    private static func read(_ bytes: [UInt8], _ path: String, files: ManifestFiles, reader: YAMLReader) -> (node: Node?, diagnostics: Diagnostics) {
        var diagnostics = Diagnostics()
        let node = reader.read(bytes, file: files.display(path), into: &diagnostics)
        return (node, diagnostics)
    }

    private mutating func preparse() {
        let files = files, reader = reader
        let manifests = files.files.compactMap { path, content -> (path: String, bytes: [UInt8])? in
            guard case .data(let bytes) = content, ManifestLoader.extensions.contains(where: { path.hasSuffix("." + $0) }) else { return nil }
            return (path, bytes)
        }
        let parsed = manifests.concurrentMap { Self.read($0.bytes, $0.path, files: files, reader: reader) }
        preparsed = Dictionary(uniqueKeysWithValues: zip(manifests.map(\.path), parsed))
    }

    /// Parses and checks a whole file against `shape`; nil when it is not a mapping.
    func parseChecked(_ path: String, as structure: Structure, diagnostics: inout Diagnostics) -> Node? {
        guard let node = parse(path, diagnostics: &diagnostics) else { return nil }
        if node.isNull { return Node(.map([]), at: node.location) }
        var checker = SchemaChecker(enforceRequired: true)
        let checked = checker.check(node, as: .structure(structure), field: "")
        diagnostics.append(contentsOf: checker.diagnostics)
        return checked.entries != nil ? checked : nil
    }

    // MARK: berth.yaml

    struct ConfigRead {
        let config: BerthConfig
        let promotionNodes: [Node]
        var reviewNode: Node?
        var autoPromoteNode: Node?
        var imageNodes: [Node] = []
    }

    mutating func readConfig() -> ConfigRead? {
        guard let path = findFile("", "berth", diagnostics: &global) else {
            let root = files.displayPrefix.isEmpty ? "the repository root" : "'\(files.displayPrefix)'"
            global.error("berth.yaml not found at \(root); is --path right?", at: location("berth.yaml"))
            return nil
        }
        guard let node = parseChecked(path, as: BerthShapes.configFile, diagnostics: &global) else { return nil }
        var version = 1
        if let versionNode = node["version"] {
            // A quoted number is still the version it names (the schema warns about the quotes):
            // "2" must not be read as version 1.
            var named: Int?
            if case .int(let v) = versionNode.value {
                named = v
            } else {
                named = versionNode.string.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            }
            if let named {
                version = named
                if named != 1 {
                    global.error("unsupported version \(named); this berth reads version 1", at: versionNode.location, field: "version")
                }
            } else {
                global.error("version must be the number 1", at: versionNode.location, field: "version")
            }
        }
        let promotion = node["promotion"]?.items ?? []
        var seen = Set<String>()
        for item in promotion where !seen.insert(item.string ?? "").inserted {
            global.error("environment '\(item.string ?? "")' appears twice in promotion", at: item.location, field: "promotion")
        }
        var config = BerthConfig(
            version: version, promotion: promotion.compactMap(\.string), defaultTarget: node["target"],
            signing: readSigning(node["signing"]))
        config.notifications = Self.readNotifications(node["notifications"], diagnostics: &global)
        config.review = readReview(node["review"])
        config.forge = Self.readForge(node["forge"], diagnostics: &global)
        if case .bool(true)? = node["allowUnknownFields"]?.value { config.allowUnknownFields = true }
        config.autoPromote = readAutoPromote(node["autoPromote"], config: config)
        let images = readImages(node["images"], config: config)
        config.images = images.map(\.0)
        return ConfigRead(
            config: config, promotionNodes: promotion, reviewNode: node["review"], autoPromoteNode: node["autoPromote"],
            imageNodes: images.map(\.1))
    }

    /// `autoPromote:` (the shape is already checked): along the promotion order, and a pull
    /// request needs a forge to open it on.
    mutating func readAutoPromote(_ node: Node?, config: BerthConfig) -> AutoPromotion? {
        guard let node, let from = node["from"]?.string, let to = node["to"]?.string else { return nil }
        let mode = node["mode"]?.string.flatMap(AutoPromotion.Mode.init(rawValue:)) ?? .pullRequest
        let order = config.promotion
        guard let source = order.firstIndex(of: from), let target = order.firstIndex(of: to), source < target else {
            global.error(
                "autoPromote moves \(from) to \(to), which is not a step of promotion: [\(order.joined(separator: ", "))]",
                at: node.location, field: "autoPromote")
            return nil
        }
        if mode == .pullRequest && config.forge == nil {
            global.error(
                "autoPromote opens pull requests, and berth.yaml has no forge: to open them on (or use mode: commit)",
                at: node.location, field: "autoPromote.mode")
            return nil
        }
        var autoMerge = false
        if let flag = node["autoMerge"], case .bool(let on) = flag.value { autoMerge = on }
        if autoMerge && mode == .commit {
            global.error("autoMerge applies to pull requests; mode: commit has none", at: node["autoMerge"]!.location, field: "autoPromote.autoMerge")
            return nil
        }
        var auto = AutoPromotion(from: from, to: to, mode: mode, autoMerge: autoMerge)
        if let method = node["mergeMethod"]?.string {
            if method == "rebase" && config.forge?.type == "gitlab" {
                global.error(
                    "GitLab merges with merge or squash; rebase is GitHub's", at: node["mergeMethod"]!.location, field: "autoPromote.mergeMethod")
                return nil
            }
            auto.mergeMethod = method
        }
        return auto
    }

    /// `images:` (the shape is already checked): an ECR repository, exactly one way to order
    /// tags, and somewhere to commit (the first environment of the promotion order).
    mutating func readImages(_ node: Node?, config: BerthConfig) -> [(ImagePolicy, Node)] {
        var policies: [(ImagePolicy, Node)] = []
        for (index, item) in (node?.items ?? []).enumerated() {
            let field = "images[\(index)]"
            guard let service = item["service"]?.string, let repository = item["repository"]?.string else { continue }
            let ways = ["semver", "pattern", "latest"].filter { item[$0] != nil }
            guard ways.count == 1 else {
                global.error(
                    "images: give exactly one of semver, pattern or latest (found \(ways.isEmpty ? "none" : ways.joined(separator: ", ")))",
                    at: item.location, field: field)
                continue
            }
            let order: ImagePolicy.Order
            if let semver = item["semver"] {
                switch SemverRange.parse(semver.string ?? "") {
                case .success(let range): order = .semver(range)
                case .failure(let error):
                    global.error(
                        "images: '\(error.part)' in semver range '\(semver.string ?? "")' is not a version or comparator (>=1.2.0, ^1.2.0, ~1.2.0)",
                        at: semver.location, field: field + ".semver")
                    continue
                }
            } else if let pattern = item["pattern"] {
                do {
                    order = .pattern(try TagRegex(pattern.string ?? ""), numerical: item["order"]?.string != "alphabetical")
                } catch {
                    global.error(
                        "images: pattern '\(pattern.string ?? "")' is not a regular expression berth reads: \(error)", at: pattern.location,
                        field: field + ".pattern")
                    continue
                }
            } else {
                guard let latest = item["latest"], case .bool(true) = latest.value else {
                    global.error("images: latest must be true (or use semver or pattern)", at: item["latest"]!.location, field: field + ".latest")
                    continue
                }
                order = .latest
            }
            let mode = item["mode"]?.string.flatMap(ImagePolicy.Mode.init(rawValue:)) ?? .commit
            let policy = ImagePolicy(service: service, container: item["container"]?.string, repository: repository, order: order, mode: mode)
            guard policy.registry != nil else {
                global.error(
                    "images: repository '\(repository)' is not an ECR repository (<account>.dkr.ecr.<region>.amazonaws.com/<name>)",
                    at: item["repository"]!.location, field: field + ".repository")
                continue
            }
            if config.promotion.isEmpty {
                global.error(
                    "images: updates are committed to the first environment of promotion:, and berth.yaml has none",
                    at: item.location, field: field)
                continue
            }
            if mode == .pullRequest && config.forge == nil {
                global.error("images: mode pull-request needs berth.yaml's forge:", at: item["mode"]!.location, field: field + ".mode")
                continue
            }
            policies.append((policy, item))
        }
        return policies
    }

    /// `forge:` (the shape is already checked): the API URL must be http(s) and the repository
    /// a path of at least two parts.
    static func readForge(_ node: Node?, diagnostics: inout Diagnostics) -> ForgeConfig? {
        guard let node, let type = node["type"]?.string else { return nil }
        if let url = node["apiUrl"], let text = url.string, !(text.hasPrefix("https://") || text.hasPrefix("http://")) {
            diagnostics.error("forge API URL '\(text)' is not http(s)", at: url.location, field: "forge.apiUrl")
            return nil
        }
        let pathLike = { (text: String) -> Bool in
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count >= 2
                && parts.allSatisfy { part in
                    !part.isEmpty && part != "." && part != ".."
                        && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
                } && (type != "github" || parts.count == 2)
        }
        if let repository = node["repository"], let text = repository.string, !pathLike(text) {
            diagnostics.error(
                "forge repository '\(text.prefix(100))' is not of the form owner/name (letters, digits, '.', '-', '_')",
                at: repository.location, field: "forge.repository")
            return nil
        }
        return ForgeConfig(
            type: type, repository: node["repository"]?.string, apiURL: node["apiUrl"]?.string,
            labels: (node["labels"]?.items ?? []).compactMap(\.string))
    }

    /// `notifications:` (the shape is already checked): URLs must be http(s), and a secret is
    /// named by its environment variable, never written.
    static func readNotifications(_ node: Node?, diagnostics: inout Diagnostics) -> [NotificationTarget] {
        var result: [NotificationTarget] = []
        for (index, item) in (node?.items ?? []).enumerated() {
            guard let url = item["url"]?.string else { continue }
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                diagnostics.error("notification URL '\(url)' is not http(s)", at: item["url"]!.location, field: "notifications[\(index)].url")
                continue
            }
            result.append(
                NotificationTarget(url: url, events: (item["events"]?.items ?? []).compactMap(\.string), secretEnv: item["secretEnv"]?.string))
        }
        return result
    }

    /// `signing:` paths, relative to the manifest root, read as text.
    mutating func readSigning(_ node: Node?) -> SigningTrust? {
        guard let node else { return nil }
        func read(_ key: String) -> String? {
            guard let value = node[key], let relative = value.string else { return nil }
            guard let path = ManifestPath.resolve(relative, from: ""), !relative.hasPrefix("/") else {
                global.error("path '\(relative)' leaves the manifest root", at: value.location, field: "signing.\(key)")
                return nil
            }
            if path.hasPrefix("environments/") || path.hasPrefix("services/") {
                global.error(
                    "trust material must live outside environments/ and services/ (where service and environment owners make changes)",
                    at: value.location, field: "signing.\(key)")
                return nil
            }
            guard case .data(let bytes)? = content(path) else {
                global.error("signing.\(key): '\(relative)' is not a file in the manifests", at: value.location, field: "signing.\(key)")
                return nil
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return SigningTrust(allowedSigners: read("allowedSigners"), openpgpKeys: read("openpgpKeys"))
    }
}
