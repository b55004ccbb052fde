// Attention's Q K^T per head on oneDNN's matmul (Q and K read in place from the stacked Q/K/V
// projection, as ClipStream's attention reads them) beside OpenBLAS's cblas_sgemm, one thread,
// OWL-ViT B/32 at 768 (577 tokens, 12 heads of 64). Whether the heads' products move to oneDNN
// is decided by this: oneDNN 2.6 picks gemm:jit for these strided operands.
//
//   gcc -O2 tools/attention_onednn.c -o /tmp/attention_onednn -I/usr/include/x86_64-linux-gnu/openblas-pthread -ldnnl -lopenblas -lm
//   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /tmp/attention_onednn
#include <oneapi/dnnl/dnnl.h>
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(void) {
    const int tokens = 577, width = 768, head = 64, heads = 12, ld = 3 * width;
    float *qkv = malloc(sizeof(float) * tokens * ld), *s = malloc(sizeof(float) * tokens * tokens),
          *r = malloc(sizeof(float) * tokens * tokens);
    for (long i = 0; i < (long)tokens * ld; i++) qkv[i] = (float)((i * 7919u) % 1000) / 1000.0f - 0.5f;
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_engine_create(&engine, dnnl_cpu, 0);
    dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
    // Q [T, 64] with rows 3D apart; K^T [64, T] read from K's rows; scores [T, T] dense.
    dnnl_memory_desc_t q_md, k_md, s_md;
    dnnl_dims_t q_dims = {tokens, head}, q_strides = {ld, 1}, k_dims = {head, tokens}, k_strides = {1, ld};
    dnnl_dims_t s_dims = {tokens, tokens}, s_strides = {tokens, 1};
    dnnl_memory_desc_init_by_strides(&q_md, 2, q_dims, dnnl_f32, q_strides);
    dnnl_memory_desc_init_by_strides(&k_md, 2, k_dims, dnnl_f32, k_strides);
    dnnl_memory_desc_init_by_strides(&s_md, 2, s_dims, dnnl_f32, s_strides);
    dnnl_matmul_desc_t desc;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t product;
    dnnl_matmul_desc_init(&desc, &q_md, &k_md, NULL, &s_md);
    if (dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL) != dnnl_success) return 1;
    const char *impl;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    dnnl_primitive_create(&product, pd);
    dnnl_memory_t q, k, scores;
    dnnl_memory_create(&q, &q_md, engine, qkv);
    dnnl_memory_create(&k, &k_md, engine, qkv + width);
    dnnl_memory_create(&scores, &s_md, engine, s);
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, q}, {DNNL_ARG_WEIGHTS, k}, {DNNL_ARG_DST, scores}};
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        for (int h = 0; h < heads; h++) dnnl_primitive_execute(product, stream, 3, args);
        dnnl_stream_wait(stream);
        double t1 = now();
        for (int h = 0; h < heads; h++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, tokens, tokens, head, 1, qkv, ld, qkv + width, ld, 0, r, tokens);
        double t2 = now();
        printf("%d heads Q K^T: oneDNN (%s) %.2f ms, OpenBLAS %.2f ms\n", heads, impl, (t1 - t0) * 1e3, (t2 - t1) * 1e3);
    }
    double worst = 0;
    for (long i = 0; i < (long)tokens * tokens; i++) worst = fmax(worst, fabs(s[i] - r[i]));
    printf("max |oneDNN - OpenBLAS| %.3g\n", worst);
    return 0;
}
