# oscontent: convenience wrapper around CMake.  `make run` and `make test`
# install what they need (scripts/install-deps.sh) and build first.
BUILD      ?= build
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
CTEST_ARGS ?=
FUZZ_SECONDS ?= 600

.PHONY: all build deps run test asan tsan bench fuzz format clean

all: build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@bash scripts/install-deps.sh

run: deps build
	@$(BUILD)/oscontent serve

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DOSC_SANITIZE=asan -DCMAKE_C_COMPILER=clang $(CMAKE_ARGS)
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -LE nosan $(CTEST_ARGS)

# Concurrent code (label tsan) under ThreadSanitizer.
tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DOSC_SANITIZE=tsan -DCMAKE_C_COMPILER=clang $(CMAKE_ARGS)
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && ctest --output-on-failure -j $(JOBS) -L tsan $(CTEST_ARGS)

bench: deps build
	bash bench/run.sh $(BUILD)

# libFuzzer targets with clang, each run FUZZ_SECONDS (corpora grow in fuzz/corpus/).
fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DOSC_FUZZ=ON -DOSC_CUDA=OFF -DCMAKE_C_COMPILER=clang $(CMAKE_ARGS)
	cmake --build build-fuzz -j $(JOBS)
	bash fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cu')

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
