# tasks: priority pools, retries, timeouts, isolation, durable journal, Redis Streams broker.
list(APPEND OSC_LIB_SOURCES
  src/tasks/processor.c src/tasks/isolate.c src/tasks/journal.c src/tasks/kinds.c
  src/tasks/broker.c src/tasks/settings.c)
list(APPEND OSC_PKG_MODULES sqlite3 hiredis)
