# The two commands a fresh machine needs (see README.md):
#   make run   builds berth and runs it on the example manifests in manifests/
#   make test  runs the whole test suite
# Each installs what it needs first, and does nothing more when it is already there.

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libgit2-dev pkg-config git openssh-client gnupg
TEST_APT_PACKAGES := chromium jq prometheus openssh-server openssl
BERTH := .build/debug/berth

.PHONY: run test deps test-deps build bench format

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build --product berth

# The controller, once, on the example manifests against the embedded local ECS target
# (state in .berth/): the plan before, one pass over every environment, and the plans after.
run: build
	$(BERTH) validate --path manifests
	$(BERTH) plan --path manifests --env staging
	$(BERTH) controller --path manifests --once
	$(BERTH) plan --path manifests --env staging --detailed-exitcode
	$(BERTH) plan --path manifests --env prod --detailed-exitcode

# moto's server is a real ECS/STS/IAM API implementation the tests talk to over HTTP;
# cfn-lint checks deploy/cloudformation.yaml; headless Chromium loads the status page.
test-deps: deps
	@missing=""; for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@python3 -c "import moto.server, flask, flask_cors" 2>/dev/null || python3 -m pip install --quiet 'moto[server]'
	@command -v cfn-lint >/dev/null 2>&1 || python3 -m pip install --quiet cfn-lint
	@python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install --quiet jsonschema

test: test-deps
	swift format lint --strict --recursive --parallel Sources Tests
	swift build --product berth
	swift test --disable-xctest

# Formats every source file as .swift-format says (make test checks it is done).
format:
	swift format --in-place --recursive --parallel Sources Tests

# berth-bench (docs/performance.md), built as deploy/Dockerfile builds berth (release, Swift's
# runtime linked in), in a build folder of its own. ecs-deploy and the AWS CLI, the peers of
# benchmark 4, go into a virtual environment of their own. BENCH_ARGS picks and sizes them,
# e.g. make bench BENCH_ARGS="--only resync --resync 100".
BENCH_BUILD = swift build -c release --static-swift-stdlib --scratch-path .build-static
bench: test-deps
	@[ -x .build/bench-venv/bin/ecs ] && [ -x .build/bench-venv/bin/aws ] || \
	  { python3 -m venv .build/bench-venv && .build/bench-venv/bin/pip install --quiet ecs-deploy awscli; }
	$(BENCH_BUILD) --product berth
	$(BENCH_BUILD) --product berth-bench
	.build-static/release/berth-bench $(BENCH_ARGS)
