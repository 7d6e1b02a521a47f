# digits: the usual runs. `make` does everything from a fresh clone: build, data, train, export, score.
SHELL := /bin/bash
MODEL ?= double-conv
JAR := target/digits.jar
DIGITS := java -jar $(JAR)
SHARED_DATA ?= ../shared/data
VENV := .venv
PYTHON := $(VENV)/bin/python
# TensorFlow's native INFO lines are noise for a command-line user; warnings and errors still show.
export TF_CPP_MIN_LOG_LEVEL ?= 1

.PHONY: all build data train predict test venv interop e2e bench clean

all: predict

$(JAR): pom.xml $(shell find src/main -type f 2>/dev/null)
	mvn -q -B package -DskipTests

build: $(JAR)

# data/ is git-ignored and filled from ../shared/data (byte-exact Kaggle files). Elsewhere, download
# train.csv and test.csv from https://www.kaggle.com/c/digit-recognizer/data into data/.
data: data/train.csv data/test.csv

data/%.csv:
	@mkdir -p data
	@if [ -f $(SHARED_DATA)/$*.csv.gz ]; then \
	  gunzip -c $(SHARED_DATA)/$*.csv.gz > $@.tmp && mv $@.tmp $@; \
	else \
	  echo "missing $@: download $*.csv from https://www.kaggle.com/c/digit-recognizer/data into data/" >&2; exit 1; \
	fi

train: build data
	$(DIGITS) train --model $(MODEL) --data data/train.csv --output saved_models

predict: train
	$(DIGITS) predict --model-dir saved_models/$(MODEL) --input data/test.csv --output submission.csv

test:
	mvn -B test

# The stamp rebuilds the venv only when requirements.txt changes.
$(VENV)/.installed: scripts/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r scripts/requirements.txt
	touch $@

venv: $(VENV)/.installed

# Our exports in Python TF, Keras-trained SavedModels in Java, and training parity with Keras.
interop: venv build data
	$(PYTHON) scripts/interop_check.py --jar $(JAR) --data data/train.csv --test data/test.csv --work build/interop

# Draw a digit on the page of `digits serve` in headless Chromium (installed if missing); saves docs/serve.png.
e2e: build data
	DATA=data/train.csv scripts/e2e/run.sh

clean:
	rm -rf target saved_models submission.csv build
