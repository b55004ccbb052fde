// FFmpeg's C API plus tiny inline shims for what Swift cannot import (function-like macros).
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/error.h>

static inline int cs_averror(int posix_error) { return AVERROR(posix_error); }
static inline int cs_averror_eof(void) { return AVERROR_EOF; }
static inline int64_t cs_av_nopts_value(void) { return AV_NOPTS_VALUE; }
