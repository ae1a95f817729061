/*
 * oscontent/common.h - export macro and version shared by every public header.
 *
 * Thread safety: nothing here has state.
 */
#ifndef OSCONTENT_COMMON_H
#define OSCONTENT_COMMON_H

#if defined(OSC_BUILDING_LIBRARY) && defined(__GNUC__)
#define OSC_API __attribute__((visibility("default")))
#elif defined(__GNUC__)
#define OSC_API __attribute__((visibility("default")))
#else
#define OSC_API
#endif

#if defined(__GNUC__)
#define OSC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OSC_PRINTF(fmt, args)
#endif

#define OSC_VERSION_MAJOR 0
#define OSC_VERSION_MINOR 1
#define OSC_VERSION_PATCH 0
#define OSC_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version string ("MAJOR.MINOR.PATCH"); static storage. */
OSC_API const char *osc_version(void);

#ifdef __cplusplus
}
#endif
#endif
