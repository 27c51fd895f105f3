import Manifests

/// Edits an environment's release fields towards a wanted release: `release:` values in its
/// environment.yaml, then `images:` pins in its overlays for any container whose image still
/// differs. Shared by promotion (staging's release) and rollback (an earlier commit's release).
struct ReleaseMover {
    var files: ManifestFiles
    var edits: [String: YAMLEdit] = [:]
    var changes: [PromotionChange] = []
    /// The manifests as edited so far.
    private(set) var loaded: LoadedManifests
    /// Loads each edit by what it changed (a release edit touches a few files).
    private var loader: IncrementalLoader

    /// `loader` may hold an earlier load of similar files, to start from.
    init(files: ManifestFiles, loader: IncrementalLoader = IncrementalLoader(path: "")) {
        self.files = files
        self.loader = loader
        loaded = self.loader.load(files)
    }

    /// Sets the environment's `release:` to `release` (only the keys that differ).
    mutating func setRelease(_ release: [String: String], in environment: Environment) throws {
        let path = try Self.relative(environment.file, in: files)
        for key in release.keys.sorted() where environment.release[key] != release[key] {
            try edit(path, ["release", key], release[key]!)
            changes.append(PromotionChange(file: environment.file, field: "release.\(key)", old: environment.release[key], new: release[key]!))
        }
        try refresh()
    }

    /// Pins images so that each of `services` in `environment` runs `images[service]`.
    mutating func pinImages(_ images: [String: [String: String]], services: [String], in environment: String) throws {
        let current = loaded
        for service in services {
            guard let rendered = current.rendered(environment: environment).first(where: { $0.service == service }), let wanted = images[service]
            else {
                throw PromotionError("\(service) does not render in \(environment); run `berth validate`", code: .invalidManifests)
            }
            let overlay = try Self.relative(rendered.sources.last ?? "", in: files)
            let have = rendered.images
            for (container, image) in wanted.sorted(by: { $0.key < $1.key }) where have[container] != image {
                try edit(overlay, ["images", container], image)
                changes.append(PromotionChange(file: files.display(overlay), field: "images.\(container)", old: have[container], new: image))
            }
        }
        try refresh()
    }

    static func relative(_ display: String, in files: ManifestFiles) throws -> String {
        guard display.hasPrefix(files.displayPrefix) else { throw PromotionError("cannot find \(display)", code: .invalidManifests) }
        return String(display.dropFirst(files.displayPrefix.count))
    }

    private mutating func edit(_ path: String, _ field: [String], _ value: String) throws {
        if edits[path] == nil {
            guard case .data(let bytes)? = files.files[path] else {
                throw PromotionError("cannot read \(files.display(path))", code: .invalidManifests)
            }
            edits[path] = YAMLEdit(text: String(decoding: bytes, as: UTF8.self), file: files.display(path))
        }
        do {
            try edits[path]!.set(field, to: value)
        } catch {
            throw PromotionError("\(files.display(path)): cannot set \(field.joined(separator: ".")): \(error)", code: .invalidManifests)
        }
    }

    private mutating func refresh() throws {
        for (path, editor) in edits.sorted(by: { $0.key < $1.key }) { files.write(path, Array(editor.text.utf8)) }
        loaded = loader.load(files)
    }
}
