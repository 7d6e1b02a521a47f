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

.PHONY: all build data train predict test interop bench clean

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

$(VENV)/.installed: scripts/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r scripts/requirements.txt
	touch $@

venv: $(VENV)/.installed

clean:
	rm -rf target saved_models submission.csv

# digits vs Keras (and DJL) side by side on this machine, in one process tree; writes BENCHMARKS.md.
bench: build data venv
	mkdir -p target/bench-classes
	javac -d target/bench-classes -cp "$(JAR):target/lib/*" bench/java/io/digits/bench/*.java
	mvn -q -B -f bench/jmh/pom.xml package
	mvn -q -B -f bench/djl/pom.xml package
	$(PYTHON) bench/run.py --python $(PYTHON) --data data --out BENCHMARKS.md
