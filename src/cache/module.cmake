# cache: L1 memory, L2 Redis (hiredis), L3 LMDB, codecs (zstd, lz4, brotli, zlib).
list(APPEND OSC_LIB_SOURCES
  src/cache/settings.c src/cache/l1.c src/cache/codec.c src/cache/l2_redis.c src/cache/l3_lmdb.c
  src/cache/cache.c src/cache/replay.c)
list(APPEND OSC_PKG_MODULES hiredis libzstd liblz4 libbrotlienc libbrotlidec zlib lmdb)
