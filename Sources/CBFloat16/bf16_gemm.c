// The AVX512-BF16 kernel behind CBFloat16.h. Layout and blocking:
// - W is packed once at load time into 32-column panels of bfloat16 pairs, so one 64-byte load
//   gives the kernel the pair (k, k+1) of 16 columns.
// - A is rounded per call into rows of pairs; each pair is broadcast to all lanes.
// - VDPBF16PS adds a[2p] * w[2p] + a[2p+1] * w[2p+1] into float32 lanes: 8 rows x 32 columns of C
//   live in 16 zmm accumulators over a block of K.
// - K is cut into blocks of KC_PAIRS pairs; the panel block (KC_PAIRS x 32 words = 64 KiB) stays
//   in L2 while the kernel walks down all rows of A. Blocks this long beat L1-sized ones (128
//   pairs) by 10-20% on Zen 4 (tools/gemm_peak.c, 577x3072x768: 214 GFLOPS per core against 177):
//   each block re-reads and re-writes C, and fewer, longer runs of VDPBF16PS keep it busier.
#include "CBFloat16.h"

#include <immintrin.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KC_PAIRS 512
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

int cs_bf16_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512bf16");
}

// Round to nearest even, as VCVTNE2PS2BF16 does for normal values (it flushes subnormals to zero,
// this keeps them; VDPBF16PS reads subnormal inputs as zero either way); NaN stays NaN (quiet).
static inline uint32_t bf16_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u >> 16) | 0x40u;
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

// e^x on 16 lanes: Cephes' expf range reduction (n = round(x / ln 2), ln 2 in two parts) and
// degree-6 polynomial, then p * 2^n by VSCALEFPS; below -87.3 (and -infinity) gives 0.
BF16_TARGET static inline __m512 exp16(__m512 x) {
    const __m512 lo = _mm512_set1_ps(-87.33654f), hi = _mm512_set1_ps(88.37626f);
    __mmask16 underflow = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
    __m512 v = _mm512_min_ps(_mm512_max_ps(x, lo), hi);
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(v, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    v = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), v);
    v = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), v);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, v, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, v, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, v, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, v, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, v, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(v, v), _mm512_add_ps(v, _mm512_set1_ps(1.0f)));
    return _mm512_maskz_mov_ps((__mmask16)~underflow, _mm512_scalef_ps(p, n));
}

BF16_TARGET static inline __m512 quick_gelu16(__m512 x) {
    __m512 e = exp16(_mm512_mul_ps(x, _mm512_set1_ps(-1.702f)));
    return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

static inline int pairs_of(int k) { return (k + 1) / 2; }

size_t cs_bf16_packed_words(int n, int k) {
    size_t panels = (size_t)cs_bf16_panel_count(n);
    return panels * (size_t)pairs_of(k) * CS_BF16_PANEL;
}

// W[col][q] read at w[col * col_stride + q * k_stride]: a weight as saved ([n, k] rows) or the
// transpose of a [k, n] block (attention's values).
static void pack_panels(const float *w, int n, int k, size_t col_stride, size_t k_stride, uint32_t *out) {
    int kp = pairs_of(k);
    int panels = cs_bf16_panel_count(n);
    for (int panel = 0; panel < panels; panel++) {
        uint32_t *dst = out + (size_t)panel * kp * CS_BF16_PANEL;
        for (int p = 0; p < kp; p++) {
            for (int j = 0; j < CS_BF16_PANEL; j++) {
                int col = panel * CS_BF16_PANEL + j;
                uint32_t lo = 0, hi = 0;
                if (col < n) {
                    const float *x = w + col * col_stride + (size_t)(2 * p) * k_stride;
                    lo = bf16_bits(x[0]);
                    if (2 * p + 1 < k) hi = bf16_bits(x[k_stride]);
                }
                dst[(size_t)p * CS_BF16_PANEL + j] = lo | (hi << 16);
            }
        }
    }
}

void cs_bf16_pack_weights(const float *w, int n, int k, int ldw, uint32_t *out) {
    pack_panels(w, n, k, (size_t)ldw, 1, out);
}

void cs_bf16_pack_weights_transposed(const float *s, int n, int k, int lds, uint32_t *out) {
    pack_panels(s, n, k, 1, (size_t)lds, out);
}

size_t cs_bf16_packed_rows_words(int m, int k) {
    size_t rows = (size_t)(m + CS_BF16_ROWS - 1) / CS_BF16_ROWS * CS_BF16_ROWS;
    return rows * (size_t)pairs_of(k);
}

BF16_TARGET static void pack_row_avx512(const float *src, int k, uint32_t *dst) {
    int i = 0;
    for (; i + 32 <= k; i += 32) {
        __m512 lo = _mm512_loadu_ps(src + i), hi = _mm512_loadu_ps(src + i + 16);
        // cvtne2ps_pbh(a, b) puts b's 16 values in the low half: element order is kept.
        _mm512_storeu_si512((void *)(dst + i / 2), (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
    }
    for (; i < k; i += 2) {
        uint32_t lo = bf16_bits(src[i]), hi = i + 1 < k ? bf16_bits(src[i + 1]) : 0;
        dst[i / 2] = lo | (hi << 16);
    }
}

BF16_TARGET static void softmax_row(float *row, int k, float scale, uint32_t *dst) {
    const __m512 minus_inf = _mm512_set1_ps(-__builtin_inff());
    __m512 top16 = minus_inf;
    int i = 0;
    for (; i + 16 <= k; i += 16) top16 = _mm512_max_ps(top16, _mm512_loadu_ps(row + i));
    __mmask16 tail = (__mmask16)((1u << (k - i)) - 1);
    if (k > i) top16 = _mm512_max_ps(top16, _mm512_mask_loadu_ps(minus_inf, tail, row + i));
    float top = _mm512_reduce_max_ps(top16);
    int pairs = (k + 1) / 2;
    if (top == -__builtin_inff()) {
        memset(dst, 0, (size_t)pairs * sizeof(uint32_t));
        return;
    }
    __m512 t = _mm512_set1_ps(top), s = _mm512_set1_ps(scale), sum16 = _mm512_setzero_ps();
    for (i = 0; i + 16 <= k; i += 16) {
        __m512 e = exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(row + i), t), s));
        _mm512_storeu_ps(row + i, e);
        sum16 = _mm512_add_ps(sum16, e);
    }
    if (k > i) {
        __m512 e = exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_mask_loadu_ps(minus_inf, tail, row + i), t), s));
        _mm512_mask_storeu_ps(row + i, tail, e);
        sum16 = _mm512_add_ps(sum16, e);  // the lanes past k are exp(-inf) = 0
    }
    __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum16));
    for (i = 0; i + 32 <= k; i += 32) {
        __m512 lo = _mm512_mul_ps(_mm512_loadu_ps(row + i), inv);
        __m512 hi = _mm512_mul_ps(_mm512_loadu_ps(row + i + 16), inv);
        _mm512_storeu_si512((void *)(dst + i / 2), (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
    }
    float invs = 1.0f / _mm512_reduce_add_ps(sum16);
    for (; i < k; i += 2) {
        uint32_t lo = bf16_bits(row[i] * invs), hi = i + 1 < k ? bf16_bits(row[i + 1] * invs) : 0;
        dst[i / 2] = lo | (hi << 16);
    }
}

void cs_bf16_softmax_rows(float *s, int m, int k, float scale, uint32_t *out) {
    int kp = pairs_of(k);
    int rows = (m + CS_BF16_ROWS - 1) / CS_BF16_ROWS * CS_BF16_ROWS;
    for (int r = 0; r < m; r++) softmax_row(s + (size_t)r * k, k, scale, out + (size_t)r * kp);
    if (rows > m) memset(out + (size_t)m * kp, 0, (size_t)(rows - m) * kp * sizeof(uint32_t));
}

void cs_bf16_pack_rows(const float *a, int m, int k, int lda, uint32_t *out) {
    int kp = pairs_of(k);
    int rows = (m + CS_BF16_ROWS - 1) / CS_BF16_ROWS * CS_BF16_ROWS;
    for (int r = 0; r < m; r++) pack_row_avx512(a + (size_t)r * lda, k, out + (size_t)r * kp);
    if (rows > m) memset(out + (size_t)m * kp, 0, (size_t)(rows - m) * kp * sizeof(uint32_t));
}

// 8 rows x 32 columns over `pairs` pairs of K. rows/cols < 8/32 only at the edges, where the
// stores are masked (A's padding rows are zero, W's padding columns are zero).
// `bias` (the panel's 32 entries, or NULL) and `activation` only on the last block of K.
BF16_TARGET static void kernel_8x32(int pairs, const uint32_t *a, int kp, const uint32_t *w,
                                    float *c, int ldc, int rows, int cols, int accumulate,
                                    const float *bias, int activation) {
    __m512 acc[CS_BF16_ROWS][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < CS_BF16_ROWS; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (int p = 0; p < pairs; p++) {
        __m512bh w0 = (__m512bh)_mm512_loadu_si512((const void *)(w + (size_t)p * CS_BF16_PANEL));
        __m512bh w1 = (__m512bh)_mm512_loadu_si512((const void *)(w + (size_t)p * CS_BF16_PANEL + 16));
#pragma clang loop unroll(full)
        for (int r = 0; r < CS_BF16_ROWS; r++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[(size_t)r * kp + p]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, w0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, w1);
        }
    }
    __mmask16 m0 = cols >= 16 ? 0xffff : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols >= 32 ? 0xffff : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
    __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
    __m512 b1 = bias ? _mm512_maskz_loadu_ps(m1, bias + 16) : _mm512_setzero_ps();
#pragma clang loop unroll(full)
    for (int r = 0; r < CS_BF16_ROWS; r++) {
        if (r >= rows) continue;
        float *row = c + (size_t)r * ldc;
        if (accumulate) {
            acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_maskz_loadu_ps(m0, row));
            acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_maskz_loadu_ps(m1, row + 16));
        }
        acc[r][0] = _mm512_add_ps(acc[r][0], b0);
        acc[r][1] = _mm512_add_ps(acc[r][1], b1);
        if (activation == CS_BF16_QUICK_GELU) {
            acc[r][0] = quick_gelu16(acc[r][0]);
            acc[r][1] = quick_gelu16(acc[r][1]);
        }
        _mm512_mask_storeu_ps(row, m0, acc[r][0]);
        _mm512_mask_storeu_ps(row + 16, m1, acc[r][1]);
    }
}

BF16_TARGET void cs_bf16_gemm_panels(int m, int n, int k, const uint32_t *packed_a, const uint32_t *packed_w,
                                     int first_panel, int last_panel, float *c, int ldc, int accumulate,
                                     const float *bias, int activation) {
    int kp = pairs_of(k);
    // k = 0 still runs one (empty) block, so C gets its bias, activation or zeros.
    for (int k0 = 0; k0 < kp || (kp == 0 && k0 == 0); k0 += KC_PAIRS) {
        int pairs = kp - k0 < KC_PAIRS ? kp - k0 : KC_PAIRS;
        int add = accumulate || k0 > 0, last = k0 + pairs == kp;
        for (int panel = first_panel; panel < last_panel; panel++) {
            const uint32_t *w = packed_w + ((size_t)panel * kp + k0) * CS_BF16_PANEL;
            int col0 = panel * CS_BF16_PANEL;
            int cols = n - col0 < CS_BF16_PANEL ? n - col0 : CS_BF16_PANEL;
            for (int r0 = 0; r0 < m; r0 += CS_BF16_ROWS) {
                int rows = m - r0 < CS_BF16_ROWS ? m - r0 : CS_BF16_ROWS;
                kernel_8x32(pairs, packed_a + (size_t)r0 * kp + k0, kp, w,
                            c + (size_t)r0 * ldc + col0, ldc, rows, cols, add,
                            last && bias ? bias + col0 : NULL, last ? activation : CS_BF16_LINEAR);
            }
        }
    }
}

// Scratch buffers per thread, freed when the thread exits (pipeline stages run on threads of
// their own).
struct scratch { uint32_t *words[CS_BF16_SCRATCH_SLOTS]; size_t count[CS_BF16_SCRATCH_SLOTS]; };
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void free_scratch(void *value) {
    struct scratch *s = value;
    for (int i = 0; i < CS_BF16_SCRATCH_SLOTS; i++) free(s->words[i]);
    free(s);
}

static int scratch_key_made;
static void make_scratch_key(void) { scratch_key_made = pthread_key_create(&scratch_key, free_scratch) == 0; }

uint32_t *cs_bf16_thread_scratch(int slot, size_t words) {
    if (slot < 0 || slot >= CS_BF16_SCRATCH_SLOTS) return NULL;
    pthread_once(&scratch_once, make_scratch_key);
    if (!scratch_key_made) return NULL;
    struct scratch *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s || pthread_setspecific(scratch_key, s) != 0) { free(s); return NULL; }
    }
    if (words > s->count[slot]) {
        uint32_t *grown = aligned_alloc(64, (words * sizeof(uint32_t) + 63) / 64 * 64);
        if (!grown) return NULL;
        free(s->words[slot]);
        s->words[slot] = grown;
        s->count[slot] = words;
    }
    return s->words[slot];
}
