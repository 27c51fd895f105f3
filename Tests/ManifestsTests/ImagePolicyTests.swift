import Foundation
import Testing
@testable import Manifests

@Suite struct ImagePolicyTests {
    static func tags(_ names: String...) -> [(tag: String, pushed: Date?)] {
        names.enumerated().map { ($0.element, Date(timeIntervalSince1970: Double($0.offset) * 60)) }
    }

    static func policy(_ order: ImagePolicy.Order) -> ImagePolicy {
        ImagePolicy(service: "api", container: nil, repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api", order: order, mode: .commit)
    }

    static func range(_ text: String) throws -> SemverRange { try SemverRange.parse(text).get() }

    @Test func semanticVersionsOrderAsTheSpecificationSays() throws {
        let ordered = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "v1.0.1",
            "1.10.0",
        ]
        let versions = try ordered.map { try #require(SemanticVersion($0)) }
        #expect(versions == versions.sorted())
        #expect(SemanticVersion("1.0.0+build.7") == SemanticVersion("1.0.0"))
        for bad in ["1.0", "1.0.0.0", "01.x.0", "", "latest", "1.0.0-", "1..0", "99999999999.0.0"] { #expect(SemanticVersion(bad) == nil, "\(bad)") }
    }

    @Test func rangesAreNpmsAndFluxs() throws {
        #expect(try Self.range(">=1.0.0 <2.0.0").contains(SemanticVersion("1.9.9")!))
        #expect(try !Self.range(">=1.0.0 <2.0.0").contains(SemanticVersion("2.0.0")!))
        #expect(try Self.range("^1.2.0").contains(SemanticVersion("1.9.0")!) && !Self.range("^1.2.0").contains(SemanticVersion("2.0.0")!))
        #expect(try Self.range("^0.2.0").contains(SemanticVersion("0.2.5")!) && !Self.range("^0.2.0").contains(SemanticVersion("0.3.0")!))
        #expect(try Self.range("^0.0.3").contains(SemanticVersion("0.0.3")!) && !Self.range("^0.0.3").contains(SemanticVersion("0.0.4")!))
        #expect(try Self.range("~1.2.0").contains(SemanticVersion("1.2.9")!) && !Self.range("~1.2.0").contains(SemanticVersion("1.3.0")!))
        #expect(try Self.range("1.0.0 || >=3.0.0").contains(SemanticVersion("3.1.0")!))
        // Pre-releases only where the range names one of that version.
        #expect(try !Self.range(">=1.0.0").contains(SemanticVersion("1.5.0-rc.1")!))
        #expect(try Self.range(">=1.5.0-rc.0 <1.6.0").contains(SemanticVersion("1.5.0-rc.1")!))
        if case .failure(let error) = SemverRange.parse(">=1.0 <2") { #expect(error.part == ">=1.0") } else { Issue.record("parsed") }
    }

    @Test func theNewestAllowedTagIsChosen() throws {
        let tags = Self.tags("1.0.0", "1.4.0", "2.0.0", "1.10.0", "latest", "1.11.0-rc.1", "main-9", "main-117", "main-41")
        #expect(Self.policy(.semver(try Self.range(">=1.0.0 <2.0.0"))).newest(tags) == "1.10.0")
        #expect(Self.policy(.pattern(try TagRegex("^main-(\\d+)$"), numerical: true)).newest(tags) == "main-117")
        #expect(Self.policy(.pattern(try TagRegex("^main-(\\d+)$"), numerical: false)).newest(tags) == "main-9")
        #expect(Self.policy(.latest).newest(tags) == "main-41")
        let semver = Self.policy(.semver(try Self.range("^1.0.0")))
        #expect(semver.isNewer("1.10.0", than: "1.4.0", among: tags))
        #expect(!semver.isNewer("1.4.0", than: "1.10.0", among: tags))
        // A pin the policy does not allow is moved on; a tag it does not allow never wins.
        #expect(semver.isNewer("1.10.0", than: "hotfix", among: tags))
        #expect(!semver.isNewer("hotfix", than: "1.0.0", among: tags))
        // A version pinned by hand above the range, or the same version spelled otherwise, stays.
        #expect(!semver.isNewer("1.10.0", than: "2.0.0", among: tags) && !semver.isNewer("1.10.0", than: "1.10.1-hotfix.1", among: tags))
        #expect(!semver.isNewer("v1.10.0", than: "1.10.0", among: Self.tags("1.10.0", "v1.10.0")))
    }

    @Test func tagRegexesFindTheirKey() throws {
        #expect(try TagRegex("^main-(\\d+)$").key("main-41") == "41")
        #expect(try TagRegex("^main-[a-f0-9]+-(?P<ts>[0-9]+)").key("main-3f2a9c1-1733480000") == "1733480000")
        #expect(try TagRegex("(?<n>[0-9]+)-prod$").key("release-2024-prod") == "2024")
        #expect(try TagRegex("^v?(\\d+\\.\\d+)\\.x$").key("v1.24.x") == "1.24")
        #expect(try TagRegex("^(?:rc|beta)-(\\d{2,3})$").key("rc-117") == "117")
        #expect(try TagRegex("^(?:rc|beta)-(\\d{2,3})$").key("rc-1") == nil)
        #expect(try TagRegex("^main-").key("main-41") == "main-")
        #expect(try TagRegex("^[^-]+$").key("abc") == "abc" && TagRegex("^[^-]+$").key("a-b") == nil)
        #expect(try TagRegex("a|ab").key("ab") == "a")  // leftmost-first, as Go's regexp
        #expect(try TagRegex("(a+)(b?)").key("xaaab") == "aaa")
        #expect(try TagRegex("^$").key("") == "")
        for bad in [
            "(", ")", "[a-", "a{3,1}", "a{99}", "*a", "\\q", "(?=x)", "a{-1}", "a{-3,}", "a{1,-1}", "a{+2}", String(repeating: "a", count: 300),
            String(repeating: "(a?){64}", count: 9), String(repeating: "()", count: 17),
        ] {
            #expect(throws: TagRegex.SyntaxError.self, "\(bad)") { try TagRegex(bad) }
        }
    }

    @Test func aHostilePatternRunsInLinearTime() throws {
        // Shapes that make a backtracking engine run for hours on a 128-character tag.
        let tag = String(repeating: "a", count: 128) + "!"
        for pattern in [
            "^(a+)+$", "^(a|a)*$", "^(a*)*b$", "^" + String(repeating: "a?", count: 60) + String(repeating: "a", count: 60) + "$",
            "^(.*a){20}$",
        ] {
            let regex = try TagRegex(pattern)
            let started = Date()
            #expect(regex.key(tag) == nil, "\(pattern)")
            #expect(Date().timeIntervalSince(started) < 2, "\(pattern) took \(Date().timeIntervalSince(started)) s")
        }
    }

    @Test func repositoryURIsNameTheRegistry() {
        let policy = Self.policy(.latest)
        #expect(policy.registry?.account == "123456789012" && policy.registry?.region == "eu-west-1" && policy.registry?.name == "shop/api")
        #expect(ImagePolicy(service: "s", container: nil, repository: "docker.io/library/nginx", order: .latest, mode: .commit).registry == nil)
    }
}
