# The two set-up commands of the course (see README.md):
#   make lab    install into .venv and open JupyterLab on the course
#   make test   install into .venv and run every test (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
# KERNELS=0 skips the second pass on other CPU kernels (e.g. with PYTEST_ARGS="-m browser")
KERNELS ?= 1
# JupyterLab opens on the orientation notebook (root needs --allow-root)
LAB_ARGS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_orientation.ipynb
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test exercises bench clean

# JupyterLab settings for the course's environment: no prompt about news or updates
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

# the figures: a fresh .venv on the course's machine (see README.md, "Start")
$(STAMP): constraints.txt pyproject.toml Makefile
	@echo "installing the course into $(VENV) (first run only): about 350 MB to download" \
	      "and 1.5 GB on disk with torch's CPU build, 1-5 minutes; the default torch" \
	      "wheel on Linux adds several GB of CUDA libraries (README.md, Start: CPU only)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[lab,test]'
	mkdir -p $(dir $(LAB_OVERRIDES))
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(LAB_OVERRIDES)
	touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_ARGS) $(ALLOW_ROOT)

# one thread per process: two test workers share the cores without oversubscription;
# COURSE_STRICT=1: a comparison cell of a lab raises instead of printing guidance
PYTEST := COURSE_STRICT=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile -p no:cacheprovider
# a cell's time limit catches a hung cell; the longest cell (unit 08's training race) took 82 s natively
# and more than 120 s on torch's scalar kernels, with two workers on 2 cores
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 300

# Lint (ruff, rules in pyproject.toml), everything natively, then the notebooks once more on other CPU kernels (torch's
# scalar ATen kernels, MKL's compatible path, NumPy without its SIMD ufuncs; see
# tests/kernel_env.py): a stored output that depends on the CPU fails the second pass.
test: $(STAMP)
	$(BIN)/ruff check course_utils tests
	$(PYTEST) $(NBVAL) tests notebooks solutions $(PYTEST_ARGS)
	$(if $(filter 1,$(KERNELS)),$(BIN)/python tests/kernel_env.py env $(PYTEST) $(NBVAL) notebooks solutions)

exercises: $(STAMP)
	$(BIN)/python -m course_utils.make_exercises

bench: $(STAMP)
	$(BIN)/python -m course_utils.bench

clean:
	rm -rf $(VENV)
