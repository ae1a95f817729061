# Performance monitor: collectors, SQLite time series, alerts, exposition, charts.
list(APPEND OSC_LIB_SOURCES
  src/monitor/settings.c src/monitor/expo.c src/monitor/registry.c src/monitor/sampler.c
  src/monitor/store.c src/monitor/stats.c src/monitor/alerts.c src/monitor/report.c src/monitor/chart.c
  src/monitor/collectors/common.c src/monitor/collectors/cpu.c src/monitor/collectors/meminfo.c
  src/monitor/collectors/loadavg.c src/monitor/collectors/diskstats.c src/monitor/collectors/filesystem.c
  src/monitor/collectors/netdev.c src/monitor/collectors/netstat.c src/monitor/collectors/pressure.c
  src/monitor/collectors/vmstat.c src/monitor/collectors/filefd.c src/monitor/collectors/cgroup.c
  src/monitor/collectors/self.c src/monitor/collectors/processes.c src/monitor/collectors/system.c)
list(APPEND OSC_PKG_MODULES sqlite3 cairo libcurl)
