# digits: the usual runs. `make` does everything from a fresh clone: build, data, train, export, score.
SHELL := /bin/bash
MODEL ?= double-conv
JAR := target/digits.jar
DIGITS := java -jar $(JAR)
# A folder holding train.csv.gz and test.csv.gz (byte-exact Kaggle files), if you have one.
KAGGLE_DATA ?= ../shared/data
VENV := .venv
PYTHON := $(VENV)/bin/python

.PHONY: all build data train predict test venv interop e2e bench clean

all: predict

# .mvn/jvm.config sets -Djansi.noreset=true: Debian's Maven 3.8 (jansi 2.4 without its Linux native
# part) otherwise writes colour resets (ESC[0m) even into a pipe or a log file.
$(JAR): pom.xml $(shell find src/main -type f 2>/dev/null)
	mvn -q -B package -DskipTests

build: $(JAR)

# data/ is git-ignored: download train.csv and test.csv from
# https://www.kaggle.com/c/digit-recognizer/data into it, or let make unpack them from $(KAGGLE_DATA).
data: data/train.csv data/test.csv

data/%.csv:
	$(if $(wildcard $(KAGGLE_DATA)/$*.csv.gz),,$(error $@ is missing: download $*.csv from https://www.kaggle.com/c/digit-recognizer/data into data/))
	@mkdir -p data
	gunzip -c $(KAGGLE_DATA)/$*.csv.gz > $@.tmp && mv $@.tmp $@

# data first: without the Kaggle files, make stops at once with one line saying where to get them.
train: data build
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

# digits vs Keras (and DJL) side by side on this machine, in one process tree; writes BENCHMARKS.md.
bench: build data venv
	mkdir -p target/bench-classes
	javac -d target/bench-classes -cp "$(JAR):target/lib/*" bench/java/io/digits/bench/*.java
	mvn -q -B -f bench/jmh/pom.xml package
	mvn -q -B -f bench/djl/pom.xml package
	$(PYTHON) bench/run.py --python $(PYTHON) --data data --out BENCHMARKS.md
