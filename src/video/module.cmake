# Video module: prompt -> narrated, captioned video; compress/transcode/probe/thumbnail.
# The renderer (scene lexicon, procedural renderer, frame producer) lives in
# render.cmake, owned by its own engineer; the pipeline builds without it and
# then answers OSC_EUNSUPPORTED for osc_video_create.
list(APPEND OSC_LIB_SOURCES
  src/video/settings.c src/video/video.c src/video/pipeline.c src/video/captions.c src/video/narration.c
  src/video/encoder.c src/video/transcode.c src/video/probe.c src/video/thumbnail.c)
list(APPEND OSC_PKG_MODULES libavformat libavcodec libavutil libavfilter libswresample libswscale
  freetype2 harfbuzz espeak-ng)
include(${CMAKE_CURRENT_LIST_DIR}/render.cmake OPTIONAL RESULT_VARIABLE _osc_video_render)
if(_osc_video_render)
  add_compile_definitions(OSC_VIDEO_HAVE_RENDER=1)
endif()
