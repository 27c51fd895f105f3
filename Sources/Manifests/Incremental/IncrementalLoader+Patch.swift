/// The common change, made cheap: a commit that only edits files read by service bases and
/// overlays (a new image, a tuned task definition) changes only those services' renderings.
/// Instead of a whole load, the last result is patched: the pieces that read the edited files
/// are read again, the services using them rendered again, and nothing else is visited, so the
/// cost follows the change even at thousands of services.
///
/// Anything else takes the whole (memoized) load: a file added, removed or changed in kind, a
/// file read outside the pieces (berth.yaml, environment.yaml, a freeze), or a diagnostic
/// before or after (the diagnostics, and so what is blocked, must stay the same).
extension IncrementalLoader {
    /// `changes` holds every path that may differ between the files `previous` was loaded from
    /// and `files`; `old` says what each held there (nil: nothing).
    mutating func patch(
        _ previous: LoadedManifests, old: (String) -> ManifestFiles.Version?, to files: ManifestFiles,
        changes: Set<String>
    ) -> LoadedManifests? {
        guard let versions = files.versions else { return nil }
        var services = Set<String>()
        var overlays: [String] = []
        for path in changes {
            guard let old = old(path), let new = versions[path], old.kind == new.kind, !memo.outside.contains(path) else { return nil }
            if old == new { continue }
            if memo.overlays[path] != nil { overlays.append(path) }
            if let readers = memo.readers[path] { services.formUnion(readers.names) }
        }
        // The memo is taken out while it changes, so that nothing copies it.
        var fresh = memo
        memo = LoadMemo()
        var done = false
        // Pieces made before a give-up are right for `files` too: kept either way.
        defer { if !done { memo = fresh } }
        var run = LoadRun(files: files, reader: YAMLReader(limits: limits))
        run.allowUnknownFields = previous.config?.allowUnknownFields ?? false
        run.only = environments
        run.fresh = LoadMemo()
        run.parses.old = fresh.parsed
        var keys: [LoadMemo.RenderKey] = []
        for path in overlays {
            guard let kept = fresh.overlays[path], kept.diagnostics.items.isEmpty, let service = kept.value?.service else { return nil }
            let read = run.piece(\.overlays, path) { run, diagnostics in run.readOverlay(path, service: service, diagnostics: &diagnostics) }
            guard read.diagnostics.items.isEmpty, read.value != nil else { return nil }
            fresh.overlays[path] = read
            keys.append(LoadMemo.RenderKey(environment: String(path.split(separator: "/")[1]), service: service))
        }
        for name in services {
            guard let kept = fresh.services[name], kept.diagnostics.items.isEmpty else { return nil }
            let read = run.piece(\.services, name) { run, diagnostics in run.readService(name, diagnostics: &diagnostics) }
            guard read.diagnostics.items.isEmpty, read.value != nil else { return nil }
            fresh.services[name] = read
            for path in read.reads.keys { fresh.noteReader(name, of: path) }
            keys += previous.environments.map { LoadMemo.RenderKey(environment: $0.name, service: name) }
        }
        var rendered = previous.rendered
        var work = LoadWork(read: run.work.read)
        for key in Set(keys) {
            guard let rendering = fresh.renderings[key] else { continue }
            guard rendering.diagnostics.items.isEmpty, let environment = previous.environment(key.environment),
                let base = fresh.services[key.service], let overlayPiece = fresh.overlays[rendering.overlayPath],
                var overlay = overlayPiece.value
            else { return nil }
            overlay.stamp = overlayPiece.stamp
            overlay.path = rendering.overlayPath
            guard let baseValue = base.value else { return nil }
            var renderer = ServiceRenderer(
                environment: environment, base: baseValue, overlay: overlay, expanded: fresh.expansion(of: environment))
            renderer.allowUnknownFields = run.allowUnknownFields
            renderer.renderID = LoadMemo.stamp()
            guard let result = renderer.render(), renderer.diagnostics.items.isEmpty else { return nil }
            fresh.renderings[key] = LoadMemo.Rendering(
                context: rendering.context, base: base.stamp, overlay: overlayPiece.stamp,
                overlayPath: rendering.overlayPath, result: result, diagnostics: Diagnostics())
            work.rendered += 1
            // A blocked environment renders nothing, and stays blocked: its errors are elsewhere.
            guard !previous.blockedEnvironments.contains(key.environment) else { continue }
            guard let index = rendered.firstIndex(where: { $0.environment == key.environment && $0.service == key.service }) else { return nil }
            rendered[index] = result
        }
        for (path, parsed) in run.parses.new { fresh.parsed[path] = parsed }
        memo = fresh
        done = true
        lastWork = work
        var loaded = LoadedManifests(
            config: previous.config, environments: previous.environments, services: previous.services,
            rendered: rendered, diagnostics: previous.diagnostics,
            blockedEnvironments: previous.blockedEnvironments, blocking: previous.blocking, commit: files.commit,
            environmentNames: previous.environmentNames)
        loaded.root = previous.root
        return loaded
    }
}
