# Embedding throughput and STS-B dev Spearman (the USE-lite port); included by
# bench/nlp/CMakeLists.txt, run by bench/nlp/run.sh as bench_nlp_embed.
osc_add_bench(NAME nlp_embed SOURCES ${CMAKE_CURRENT_LIST_DIR}/embed_bench.c)
