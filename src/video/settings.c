/*
 * video/settings.c - the video.* settings (defaults of osc_video_options and
 * of the /video HTTP jobs).
 */
#include "oscontent/config.h"

const osc_setting_def osc__settings_video[] = {
    {"video.audio", OSC_SETTING_BOOL, "true", 0, 0, NULL, "Narrate the prompt or script with espeak-ng."},
    {"video.audio_bitrate", OSC_SETTING_INT, "192000", 16000, 512000, NULL, "Audio bit rate in bits/s (AAC or Opus)."},
    {"video.audio_sample_rate", OSC_SETTING_INT, "44100", 8000, 48000, NULL,
     "Audio sample rate in Hz for AAC (Opus always uses 48000)."},
    {"video.captions", OSC_SETTING_BOOL, "true", 0, 0, NULL, "Draw the captions timed with the narration."},
    {"video.codec", OSC_SETTING_ENUM, "h264", 0, 0, "h264|vp9|av1", "Video codec."},
    {"video.crf", OSC_SETTING_INT, "0", 0, 63, NULL,
     "Constant rate factor; 0 = the codec's default (h264 23, vp9 32, av1 35)."},
    {"video.device", OSC_SETTING_ENUM, "auto", 0, 0, "auto|cpu|cuda",
     "Where frames are rendered; auto uses CUDA when a GPU is present."},
    {"video.duration", OSC_SETTING_DOUBLE, "10", 1, 60, NULL, "Default video length in seconds."},
    {"video.encoder", OSC_SETTING_ENUM, "auto", 0, 0, "auto|software|nvenc",
     "H.264 encoder: auto tries NVENC when the driver offers it, else libx264."},
    {"video.faststart", OSC_SETTING_BOOL, "true", 0, 0, NULL, "MP4: put the moov box before the media data."},
    {"video.font", OSC_SETTING_STRING, "", 0, 0, NULL,
     "Caption font file; empty = /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf."},
    {"video.fps", OSC_SETTING_INT, "30", 15, 60, NULL, "Default frames per second."},
    {"video.jobs", OSC_SETTING_INT, "1", 1, 16, NULL, "Server: videos made at the same time (the rest wait)."},
    {"video.language", OSC_SETTING_STRING, "en", 0, 0, NULL, "espeak-ng voice of the narration."},
    {"video.preset", OSC_SETTING_STRING, "", 0, 0, NULL,
     "Encoder preset; empty = the measured default (see docs/video.md)."},
    {"video.render_threads", OSC_SETTING_INT, "0", 0, 64, NULL, "Renderer worker threads; 0 = auto."},
    {"video.resolution", OSC_SETTING_STRING, "1920x1080", 0, 0, NULL, "Default frame size WxH (even)."},
    {"video.threads", OSC_SETTING_INT, "0", 0, 64, NULL, "Encoder threads; 0 = usable CPUs."},
    {NULL, 0, NULL, 0, 0, NULL, NULL}};
