# Render-only benchmark (bench_video_render); included by bench/video/CMakeLists.txt.
osc_add_bench(NAME video_render SOURCES ${CMAKE_CURRENT_LIST_DIR}/render_bench.c)
