# security: API keys, rate limiting, audit log (issue 8).
list(APPEND OSC_LIB_SOURCES src/security/settings.c src/security/keys.c src/security/ratelimit.c src/security/audit.c)
list(APPEND OSC_PKG_MODULES libsodium)
list(APPEND OSC_PKG_MODULES zlib libbrotlienc)
# The dashboard (web/) is embedded into the program at build time.
file(GLOB_RECURSE _osc_web_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/web/*)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/generated/web_assets.c
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR}/web -DOUT=${CMAKE_BINARY_DIR}/generated/web_assets.c
          -P ${CMAKE_SOURCE_DIR}/cmake/EmbedWeb.cmake
  DEPENDS ${_osc_web_files} ${CMAKE_SOURCE_DIR}/cmake/EmbedWeb.cmake
  COMMENT "Embedding the dashboard")
list(APPEND OSC_APP_SOURCES ${CMAKE_BINARY_DIR}/generated/web_assets.c)
