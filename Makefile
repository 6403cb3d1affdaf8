# Flowhook: `make run` starts the whole stack locally; `make test` runs every test.
# Everything a test needs is checked (or installed) by infra/tools/check.sh first.

SHELL := /bin/bash
GO ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
FUZZTIME ?= 5s
# Where check.sh puts what it installs: aws-lambda-rie in bin/, Python tools (moto_server,
# cfn-lint) in the user's Python bin when they were missing.
TOOLPATH = $(CURDIR)/bin:$(shell python3 -m site --user-base 2>/dev/null)/bin

.PHONY: run test check vet unit fuzz fuzz-brief lint bench build clean

## run: the whole stack on http://127.0.0.1:3000 with the embedded store (no AWS, no Docker).
run:
	$(GO) run ./infra/local

## test: vet, unit and conformance tests with -race (bbolt and moto_server), every events/
## sample through the Lambda runtime interface emulator, the parser fuzz targets briefly
## (every target's seed corpus runs in unit), cfn-lint.
test: check vet unit fuzz-brief lint

check:
	@infra/tools/check.sh

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	PATH="$(TOOLPATH):$$PATH" $(GO) test -race -count=1 -timeout 20m ./...

## fuzz: every fuzz target for FUZZTIME (make fuzz FUZZTIME=10m to go deeper).
fuzz:
	@infra/tools/fuzz.sh $(FUZZTIME)

# The fuzz targets make test runs for a few seconds each: the template engine's, and the
# parsers of untrusted input on the request paths.
BRIEF_FUZZ := ./shared/velocity/parse:FuzzParse ./shared/velocity:FuzzExecute ./shared/intake:FuzzParse \
	./shared/egress:FuzzParseHost ./shared/render:FuzzBuildValues ./shared/delivery:FuzzDecode
fuzz-brief:
	@infra/tools/fuzz.sh 3s $(BRIEF_FUZZ)

lint:
	PATH="$(TOOLPATH):$$PATH" cfn-lint template.yaml

## bench: speed as ratios against baselines run in the same invocation.
bench:
	@infra/tools/bench.sh

## build: Lambda bootstraps for provided.al2023 (arm64) under build/<function>/bootstrap.
build:
	@for f in $(FUNCTIONS); do \
	  echo "build $$f"; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$${GOARCH:-arm64} $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o build/$$f/bootstrap ./functions/$$f || exit 1; \
	done

clean:
	rm -rf build bin .aws-sam

# sam build (BuildMethod: makefile) runs build-<LogicalId> with ARTIFACTS_DIR set.
LAMBDA_BUILD = CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $(ARTIFACTS_DIR)/bootstrap
build-ApiFunction: ; $(LAMBDA_BUILD) ./functions/api
build-AuthorizerFunction: ; $(LAMBDA_BUILD) ./functions/authorizer
build-IntakeFunction: ; $(LAMBDA_BUILD) ./functions/intake
build-RenderFunction: ; $(LAMBDA_BUILD) ./functions/render
build-TestRequestFunction: ; $(LAMBDA_BUILD) ./functions/testrequest
build-ExecuteFunction: ; $(LAMBDA_BUILD) ./functions/execute
