# USE-lite port tests (golden vectors vs the JS runtime, tokenizer ids,
# helpers, bad input, concurrency); included by tests/nlp/CMakeLists.txt.
osc_add_test(NAME nlp_embed SOURCES ${CMAKE_CURRENT_LIST_DIR}/embed_test.c
  LABELS "unit;nlp;tsan" TIMEOUT 180)
