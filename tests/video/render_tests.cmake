# Renderer tests; included by tests/video/CMakeLists.txt (include(... OPTIONAL)).
osc_add_test(NAME video_render SOURCES ${CMAKE_CURRENT_LIST_DIR}/render_test.c LABELS "unit;video")
osc_add_test(NAME video_render_frames SOURCES ${CMAKE_CURRENT_LIST_DIR}/render_frames_test.c LABELS "unit;video;tsan")
# CPU vs CUDA (PSNR >= 40 dB): skipped with a message where there is no GPU.
osc_add_test(NAME video_render_cuda SOURCES ${CMAKE_CURRENT_LIST_DIR}/render_cuda_test.c LABELS "unit;video")
target_link_libraries(test_video_render_cuda PRIVATE m)
set_tests_properties(video_render_cuda PROPERTIES SKIP_RETURN_CODE 77)
