# Quick start: `make run` (Telegram bot), `make chat` (terminal), `make test` (everything CI runs).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
LANGS := ur ja

.PHONY: install run chat test lint catalogs facts bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/ssw-bot run

chat: install
	$(BIN)/ssw-bot chat

lint: install
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -n auto

# Re-extract msgids from code and flows, merge them into the ur and ja catalogs.
catalogs: install
	$(BIN)/pybabel extract -F babel.cfg -k t --no-location --sort-output \
		--project ssw-bot --copyright-holder "ssw-bot" -o locales/messages.pot .
	for lang in $(LANGS); do \
		if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update -i locales/messages.pot -d locales -l $$lang --no-fuzzy-matching --ignore-obsolete; \
		else \
			$(BIN)/pybabel init -i locales/messages.pot -d locales -l $$lang; \
		fi; \
	done

bench: install
	$(BIN)/python bench/webhook_load.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
