// A linear layer's matrix product on oneDNN: one matmul primitive per layer, its weight
// reordered once into the layout the primitive prefers. The only file that knows which oneDNN
// major version it builds against (2.x and 3.x differ in descriptor and post-op calls).
//
// Product computed: C[m, n] = act((accumulate ? C : 0) + A[m, k] x W[n, k]^T + bias), in
// float32, or with A and W rounded to bfloat16 (round to nearest even), summed in float32.
#ifndef CDNNL_SHIM_H
#define CDNNL_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// What the primitive does to each output after the bias (oneDNN eltwise post-ops).
#define CS_DNNL_LINEAR 0
#define CS_DNNL_GELU 1        /* 0.5 x (1 + erf(x / sqrt 2)) */
#define CS_DNNL_GELU_TANH 2   /* 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) */
#define CS_DNNL_QUICK_GELU 3  /* x sigmoid(1.702 x): swish with alpha 1.702 */
#define CS_DNNL_RELU 4

typedef struct cs_dnnl_matmul cs_dnnl_matmul;

/// 1 when oneDNN made a CPU engine (it is linked, so this fails only on a broken install).
int cs_dnnl_available(void);
/// "major.minor.patch" of the oneDNN library running.
const char *cs_dnnl_version(void);

/// Takes W [n, k] (row stride ldw) and bias [n] (or NULL), both copied: W into the primitive's
/// layout (bfloat16 when `bf16`: the input must then be rounded with cs_dnnl_round_bf16), so
/// the caller may free its float32 copy. NULL on failure.
cs_dnnl_matmul *cs_dnnl_matmul_create(const float *w, int n, int k, int ldw, const float *bias, int bf16);
void cs_dnnl_matmul_destroy(cs_dnnl_matmul *mm);

/// Rounds A [m, k] (row stride lda) to bfloat16 rows of k values (round to nearest even).
void cs_dnnl_round_bf16(const float *a, int m, int k, int lda, uint16_t *out);
/// A buffer of at least `values` bfloat16 values owned by the calling thread and reused by its
/// later calls (grows, never shrinks; freed when the thread exits). NULL if out of memory.
uint16_t *cs_dnnl_rounding_buffer(size_t values);

/// C [m, n] (row stride ldc) from A [m, k] (row stride lda; bfloat16 values for a bf16
/// product); see the header comment. `threads`: oneDNN's (OpenMP's) threads for this call,
/// set on the calling thread. Primitives are made on first use for each (m, strides,
/// activation, accumulate) and kept; safe to call from several threads at once. Returns 0, or
/// oneDNN's status code. oneDNN 2.x runs its fast kernels only when C's rows are contiguous
/// (ldc = n).
int cs_dnnl_matmul_run(cs_dnnl_matmul *mm, const void *a, int m, int lda, float *c, int ldc,
                       int activation, int accumulate, int threads);

/// The weight widened back to float32 into w [n, k] (exact: the values the product uses).
int cs_dnnl_matmul_unpack(const cs_dnnl_matmul *mm, float *w);


#endif
