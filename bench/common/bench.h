/* bench/common/bench.h - placeholder; the bench harness lands with the foundation work. */
#ifndef OSC_BENCH_H
#define OSC_BENCH_H
#endif
