/// berth's release, as `--version`, `/version` and every record's deployer show it.
public enum BerthVersion {
    public static let current = "0.1.0"
}
