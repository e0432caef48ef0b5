# Everything a fresh Debian machine needs, installed by `make setup` (run by every target).
PYTHON ?= python3
SAMPLES ?= samples/generated
OUT ?= out
# the fresh makers set `make bench` generates and measures: the holdout seed, never looked at
# while fixing the extractor (README: "Reports as agencies make them")
MAKERS_SEED ?= holdout17

APT_PACKAGES = tesseract-ocr tesseract-ocr-chi-sim poppler-utils qpdf postgresql libreoffice-writer chromium \
	fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-uming fonts-arphic-ukai fonts-droid-fallback

.PHONY: setup system-deps python-deps run test test-all bench lint samples clean

setup: system-deps python-deps

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

python-deps:
	@$(PYTHON) -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 \
		| grep -v -e 'WARNING: Location' -e 'Running pip as' || true

## run: extract every bundled sample and real report: a results database, exports, a report
run: setup
	@mkdir -p $(OUT)
	$(PYTHON) -m extractor batch $(SAMPLES) samples/real --db $(OUT)/results.sqlite
	$(PYTHON) -m extractor export --db $(OUT)/results.sqlite --format jsonl --out $(OUT)/results.jsonl
	$(PYTHON) -m extractor export --db $(OUT)/results.sqlite --format xlsx --out $(OUT)/results.xlsx
	$(PYTHON) -m extractor report --db $(OUT)/results.sqlite --html $(OUT)/report.html
	@echo "results in $(OUT)/: results.sqlite, results.jsonl (one result JSON per document), results.xlsx, report.html"

test: setup
	$(PYTHON) -m pytest -q -m "not slow"

test-all: setup
	$(PYTHON) -m pytest -q

## bench: speed and accuracy per document and per group; batch throughput; OCR engines side by side;
## a fresh set made by reportlab, Word (LibreOffice) and a browser (Chromium), by kind and maker;
## pictures of tables and turned pages
bench: setup
	$(PYTHON) -m bench.bench
	$(PYTHON) -m bench.makers_bench --seed $(MAKERS_SEED)
	$(PYTHON) -m bench.batch_bench samples/generated/text samples/real --jobs 1 2 --repeat 2
	$(PYTHON) -m bench.batch_bench samples/generated/scan --jobs 1 2
	$(PYTHON) -m bench.ocr_bench --presets mild,photo --engines tesseract/api,tesseract/cli,rapidocr
	$(PYTHON) -m bench.scan_speed
	$(PYTHON) -m bench.scale_bench --workers 2 --repeat 2
	$(PYTHON) -m bench.watch_bench --files 100 --jobs 2 --repeat 2
	$(PYTHON) -m bench.turned_pictures

lint: setup
	$(PYTHON) -m ruff check .

samples: setup
	$(PYTHON) -m samples.generate --preset committed

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache build *.egg-info
