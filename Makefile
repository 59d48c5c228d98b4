# Gemeinsam: `make run` chats with the bot, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BABEL  := $(VENV)/bin/pybabel
STAMP  := $(VENV)/.installed
LANGS  := de en ar fa uk ru
MO     := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/messages.po))

.PHONY: run console migrate test bench i18n catalogs setup clean

run: setup
	$(PY) -m bot run

console: setup
	$(PY) -m bot console

setup: $(STAMP) catalogs
	$(PY) -m bot migrate

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

catalogs: $(MO)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BABEL) compile --statistics -D messages -i $< -o $@

test: setup
	$(VENV)/bin/ruff check bot conversations tests bench migrations
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

bench: setup
	$(PY) -m bench

# Re-extract the source strings and merge them into every catalog (translate, then commit).
i18n: $(STAMP)
	$(BABEL) extract --no-location --sort-output --width=100 --add-comments=TRANSLATORS: \
		--keywords=N_ --keywords=ngettext:1,2 --project=gemeinsam-bot \
		-o locales/messages.pot bot conversations
	for lang in $(LANGS); do \
		if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BABEL) update --no-fuzzy-matching --ignore-obsolete --width=100 -D messages \
				-i locales/messages.pot -l $$lang -d locales || exit 1; \
		else \
			$(BABEL) init -D messages -i locales/messages.pot -l $$lang -d locales || exit 1; \
		fi; \
	done

clean:
	rm -rf $(VENV) $(MO)
