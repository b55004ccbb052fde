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
static inline int cs_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int cs_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int cs_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int64_t cs_av_nopts_value(void) { return AV_NOPTS_VALUE; }

// Frame buffers are recycled when only the pool still references them; the acquire fence makes
// the last consumer's writes (on another thread) visible before the decoder overwrites the buffer.
static inline void cs_acquire_fence(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
