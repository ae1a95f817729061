# video/render.cmake - the renderer half of the video module (prompt -> scene,
# CPU renderer, frames producer, optional CUDA renderer).  Included by
# src/video/module.cmake; paths are absolute so any project can include it.
#
# OSC_CUDA: auto (default: ON when nvcc is found) | ON | OFF.  Sanitizer builds
# (OSC_SANITIZE) never build it: the GPU code cannot be instrumented.
set(_vr ${CMAKE_CURRENT_LIST_DIR})
list(APPEND OSC_LIB_SOURCES
  ${_vr}/lexicon.c ${_vr}/scene.c ${_vr}/render.c ${_vr}/render_cpu.c ${_vr}/frames.c)
list(APPEND OSC_PKG_MODULES libpng)
# The hot loops vectorise at -O3 (GCC's -O2 cost model skips most of them).
if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
  # -ffinite-math-only/-fno-signed-zeros: lets GCC turn the clamps and the
  # tone curve's selects into max/min, without which it vectorises none of the
  # low-res loops (the maths never makes NaN or Inf).  clang cannot vectorise
  # some `omp simd` loops and warns (-Wpass-failed), which -Werror would turn
  # into a build failure at every optimised build type.
  set_source_files_properties(${_vr}/render_cpu.c PROPERTIES COMPILE_OPTIONS
    "-O3;-fno-math-errno;-fno-trapping-math;-ffinite-math-only;-fno-signed-zeros;-fopenmp-simd;$<$<C_COMPILER_ID:Clang>:-Wno-pass-failed>")
  set_source_files_properties(${_vr}/render.c PROPERTIES COMPILE_OPTIONS "-fno-math-errno")
endif()

set(OSC_CUDA "auto" CACHE STRING "Build the CUDA renderer: auto (when nvcc is found), ON, OFF")
set(_osc_cuda_on OFF)
if(NOT OSC_CUDA STREQUAL "OFF" AND OSC_SANITIZE STREQUAL "")
  if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc CACHE FILEPATH "nvcc")
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 75)  # SASS for sm_75 + PTX that newer GPUs JIT-compile
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit)
    if(CUDAToolkit_FOUND)
      set(_osc_cuda_on ON)
    endif()
  endif()
  if(NOT _osc_cuda_on AND OSC_CUDA STREQUAL "ON")
    message(FATAL_ERROR "OSC_CUDA=ON but no working nvcc/CUDA toolkit was found")
  endif()
endif()
if(_osc_cuda_on)
  message(STATUS "video: CUDA renderer ON (${CMAKE_CUDA_COMPILER}, arch ${CMAKE_CUDA_ARCHITECTURES})")
  # A separate directory so the project's C warning flags (-Werror ...) and
  # sanitizer flags do not reach nvcc.
  add_subdirectory(${_vr}/cuda ${CMAKE_BINARY_DIR}/video_cuda)
  list(APPEND OSC_LIB_LINK osc_video_cuda)
  add_compile_definitions(OSC_HAVE_VIDEO_CUDA=1)
else()
  message(STATUS "video: CUDA renderer OFF")
endif()
