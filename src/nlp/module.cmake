# NLP module: text analysis over Debian/npm data packages (see docs/nlp.md).
list(APPEND OSC_LIB_SOURCES
  src/nlp/text.c src/nlp/resources.c src/nlp/sentiment.c src/nlp/sent_emoji.c src/nlp/lang.c src/nlp/lang_eld.c
  src/nlp/lang_franc.c src/nlp/lang_pair.c src/nlp/entities.c
  src/nlp/keywords.c src/nlp/summary.c src/nlp/qa.c src/nlp/analyze.c src/nlp/settings.c
  src/nlp/ner_org.c)
list(APPEND OSC_PKG_MODULES libutf8proc geonames)
list(APPEND OSC_LIB_LINK stemmer)
# The USE-lite encoder (EMBED's files) is wired in when its embed.cmake exists.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/embed.cmake)
  add_compile_definitions(OSC_NLP_HAVE_EMBED=1)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/embed.cmake OPTIONAL)
