# Two commands matter: `make run` (the whole service) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311 ?= $(firstword $(shell command -v python3.11) $(wildcard $(HOME)/.pyenv/versions/3.11.*/bin/python3.11))
PY310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10.*/bin/python3.10) $(shell command -v python3.10))
VENV := .venv/.installed
RASA_VENV := .venv-rasa/.installed

.PHONY: help run chat test lint unit e2e faults train kb bench clean

help:
	@echo "make run    start Rasa, the action server and the hub (Ctrl-C stops)"
	@echo "make chat   talk to the running hub as a customer"
	@echo "make test   lint + the whole test suite, end-to-end included"
	@echo "make bench  benchmarks (tables go to docs/)"

$(VENV): pyproject.toml
	@test -n "$(PY311)" || { echo "Python 3.11 not found: install it or set PY311=/path/to/python3.11"; exit 1; }
	test -x .venv/bin/python || $(PY311) -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	.venv/bin/pip install -q torch==2.13.0   # CPU wheel first, or a dependency pulls a multi-GB CUDA build
	.venv/bin/pip install -q -e '.[dev]'
	touch $@

$(RASA_VENV): bot/requirements.txt
	@test -n "$(PY310)" || { echo "Python 3.10 not found (Rasa 3.6 needs <3.11): set PY310=/path/to/python3.10"; exit 1; }
	test -x .venv-rasa/bin/python || $(PY310) -m venv .venv-rasa
	.venv-rasa/bin/pip install -q --upgrade pip
	.venv-rasa/bin/pip install -q -r bot/requirements.txt
	touch $@

venvs: $(VENV) $(RASA_VENV)

run: venvs
	.venv/bin/python -m ops.run

chat: $(VENV)
	.venv/bin/python -m ops.chat

train: venvs
	.venv/bin/python -m ops.train

kb: $(VENV)
	.venv/bin/python -m knowledge_base build

lint: $(VENV)
	.venv/bin/ruff check .
	.venv/bin/mypy hub knowledge_base actions handoff kpis surveys learning faq_editor gaps demo_shop ops mostrador
	.venv/bin/lint-imports

unit: $(VENV)
	.venv/bin/pytest -m "not e2e" -q

e2e: venvs
	.venv/bin/pytest -m e2e -q

# The fault suite alone (also part of e2e and test); rewrites its table in docs/benchmarks/faults.md.
faults: venvs
	FAULTS_REPORT=docs/benchmarks/faults.md .venv/bin/pytest -m faults -q

test: venvs lint
	.venv/bin/pytest -q

bench: venvs
	.venv/bin/python -m benchmarks.message_latency
	.venv/bin/python -m benchmarks.kb_quality
	.venv/bin/python -m benchmarks.kb_scale
	.venv/bin/python -m benchmarks.kb_backends
	.venv/bin/python -m benchmarks.kb_transfer --variants e5,e5+sent,e5a,e5q,use,ens,ens+sent
	.venv/bin/python -m benchmarks.kb_labels
	.venv/bin/python -m benchmarks.kb_banking77
	.venv/bin/python -m benchmarks.receipt_load --runs 3

clean:
	rm -rf var/logs var/kb
