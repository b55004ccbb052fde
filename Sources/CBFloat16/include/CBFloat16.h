// bfloat16 matrix products for CPUs with AVX512-BF16 (VDPBF16PS): the reduced-precision option
// of ClipStream's linear layers. Swift has no way to emit this instruction, so this small C
// target holds the kernel; Tensor's BFloat16Matrix packs weights and spreads the work.
//
// Product computed: C[m, n] (+)= sum_k A[m, k] * W[n, k], A and W rounded to bfloat16
// (round to nearest even), products summed in float32.
#ifndef CBFLOAT16_H
#define CBFLOAT16_H

#include <stddef.h>
#include <stdint.h>

/// Columns of W per packed panel (two 16-lane float32 accumulators).
#define CS_BF16_PANEL 32
/// Panels holding n columns.
static inline int cs_bf16_panel_count(int n) { return (n + CS_BF16_PANEL - 1) / CS_BF16_PANEL; }
/// Rows of A per kernel call; packed A is padded to a multiple of this.
#define CS_BF16_ROWS 8

/// 1 when this CPU runs VDPBF16PS (AVX512-BF16 with AVX512F/BW), else 0.
int cs_bf16_supported(void);

/// Packs W [n, k] (row stride ldw floats) for the kernel: panels of 32 columns, each
/// [ceil(k/2)][32] 32-bit words holding the bfloat16 pair (W[j][2p], W[j][2p+1]); columns past
/// n and the odd k's last partner are zero. `out` holds cs_bf16_packed_words(n, k) words.
size_t cs_bf16_packed_words(int n, int k);
void cs_bf16_pack_weights(const float *w, int n, int k, int ldw, uint32_t *out);
/// The same packing for W = S^T, read from S [k, n] (row stride lds): attention's values, where
/// the product P V needs V's columns as W's rows.
void cs_bf16_pack_weights_transposed(const float *s, int n, int k, int lds, uint32_t *out);

/// Rounds A [m, k] (row stride lda) to bfloat16 rows of ceil(k/2) pairs, padded with zero rows
/// to a multiple of CS_BF16_ROWS. `out` holds cs_bf16_packed_rows_words(m, k) words.
size_t cs_bf16_packed_rows_words(int m, int k);
void cs_bf16_pack_rows(const float *a, int m, int k, int lda, uint32_t *out);
/// Softmax of attention scores S [m, k] (row stride k), rounded into packed rows as
/// cs_bf16_pack_rows lays them out (zero padding rows included): p = exp(scale * (x - max)) /
/// sum per row, in AVX-512 (this path only runs on AVX512-BF16 CPUs), each row normalised while
/// it is rounded, in L1. `s` is scratch (overwritten with the unnormalised exponentials). A row
/// that is all -infinity (nothing to attend to) gives zeros.
void cs_bf16_softmax_rows(float *s, int m, int k, float scale, uint32_t *out);

/// What the kernel does to each output before storing it (after the bias).
#define CS_BF16_LINEAR 0
#define CS_BF16_QUICK_GELU 1  /* x * sigmoid(1.702 x) */

/// C[0..<m, panels first..<last] = act((accumulate ? C : 0) + A x W^T + bias) on the packed
/// operands; `bias` [n] may be NULL. Bias and activation are applied while the outputs are
/// still in registers, so a linear layer needs no pass of its own over C afterwards.
/// Only call when cs_bf16_supported() returned 1.
void cs_bf16_gemm_panels(int m, int n, int k, const uint32_t *packed_a, const uint32_t *packed_w,
                         int first_panel, int last_panel, float *c, int ldc, int accumulate,
                         const float *bias, int activation);

/// Scratch buffers per thread (slot 0: rounded rows of A, slot 1: packed W for products whose W
/// changes per call, such as attention's keys and values).
#define CS_BF16_SCRATCH_SLOTS 2

/// Buffer `slot` of at least `words` 32-bit words owned by the calling thread, reused across
/// calls (grows, never shrinks; freed when the thread exits), so packing allocates nothing per
/// product. NULL if out of memory or slot is out of range.
uint32_t *cs_bf16_thread_scratch(int slot, size_t words);

#endif
