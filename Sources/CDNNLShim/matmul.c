// See CDNNLShim.h. Descriptors are values in oneDNN 2.x and handles in 3.x; the md_* helpers
// and MD() hide that, and the DNNL_VERSION_MAJOR blocks hold the calls whose arguments changed.
#include "CDNNLShim.h"
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
void omp_set_num_threads(int count);
int omp_get_max_threads(void);
#endif

#if DNNL_VERSION_MAJOR >= 3
typedef dnnl_memory_desc_t md_t;
typedef const_dnnl_memory_desc_t md_ref;
#define MD(x) (x)
static md_t md_strided(int rows, int cols, dnnl_data_type_t type, dnnl_dim_t row_stride, dnnl_dim_t col_stride) {
    dnnl_dims_t dims = {rows, cols}, strides = {row_stride, col_stride};
    md_t md = NULL;
    dnnl_memory_desc_create_with_strides(&md, 2, dims, type, strides);
    return md;
}
static void md_free(md_t md) { dnnl_memory_desc_destroy(md); }
static md_t md_copy(md_ref md) { md_t out = NULL; dnnl_memory_desc_clone(&out, md); return out; }
static dnnl_status_t append_sum(dnnl_post_ops_t po) { return dnnl_post_ops_append_sum(po, 1.0f, 0, dnnl_data_type_undef); }
static dnnl_status_t append_eltwise(dnnl_post_ops_t po, dnnl_alg_kind_t alg, float alpha) {
    return dnnl_post_ops_append_eltwise(po, alg, alpha, 0.0f);
}
static dnnl_status_t matmul_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, md_ref src, md_ref w, md_ref bias,
                               md_ref dst, dnnl_primitive_attr_t attr) {
    return dnnl_matmul_primitive_desc_create(pd, engine, src, w, bias, dst, attr);
}
#else
typedef dnnl_memory_desc_t md_t;
typedef const dnnl_memory_desc_t *md_ref;
#define MD(x) (&(x))
static md_t md_strided(int rows, int cols, dnnl_data_type_t type, dnnl_dim_t row_stride, dnnl_dim_t col_stride) {
    dnnl_dims_t dims = {rows, cols}, strides = {row_stride, col_stride};
    md_t md;
    memset(&md, 0, sizeof md);
    dnnl_memory_desc_init_by_strides(&md, 2, dims, type, strides);
    return md;
}
static void md_free(md_t md) { (void)md; }
static md_t md_copy(md_ref md) { return *md; }
static dnnl_status_t append_sum(dnnl_post_ops_t po) { return dnnl_post_ops_append_sum(po, 1.0f); }
static dnnl_status_t append_eltwise(dnnl_post_ops_t po, dnnl_alg_kind_t alg, float alpha) {
    return dnnl_post_ops_append_eltwise(po, 1.0f, alg, alpha, 0.0f);
}
static dnnl_status_t matmul_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, md_ref src, md_ref w, md_ref bias,
                               md_ref dst, dnnl_primitive_attr_t attr) {
    dnnl_matmul_desc_t desc;
    dnnl_status_t s = dnnl_matmul_desc_init(&desc, src, w, bias, dst);
    return s != dnnl_success ? s : dnnl_primitive_desc_create(pd, &desc, attr, engine, NULL);
}
#endif

#define TRY(call) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) return s_; } while (0)

// One engine for the process; streams are per thread (a CPU stream is not shared between
// threads that execute at the same time).
static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void make_engine(void) { if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL; }

int cs_dnnl_available(void) {
    pthread_once(&engine_once, make_engine);
    return engine != NULL;
}

const char *cs_dnnl_version(void) {
    static char text[32];
    const dnnl_version_t *v = dnnl_version();
    snprintf(text, sizeof text, "%d.%d.%d", v->major, v->minor, v->patch);
    return text;
}

// Per thread: its stream, the primitives' scratchpad and the buffer for inputs rounded to
// bfloat16, grown as needed and freed when the thread exits, so a call allocates nothing once
// they are big enough.
enum { SCRATCHPAD, ROUNDED };
struct thread_state { dnnl_stream_t stream; void *buffer[2]; size_t size[2]; };
static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;
static int state_key_made;
static void free_state(void *value) {
    struct thread_state *t = value;
    if (t->stream) dnnl_stream_destroy(t->stream);
    free(t->buffer[SCRATCHPAD]);
    free(t->buffer[ROUNDED]);
    free(t);
}
static void make_state_key(void) { state_key_made = pthread_key_create(&state_key, free_state) == 0; }

static struct thread_state *thread_state(void) {
    pthread_once(&state_once, make_state_key);
    if (!state_key_made || !cs_dnnl_available()) return NULL;
    struct thread_state *t = pthread_getspecific(state_key);
    if (t) return t;
    t = calloc(1, sizeof *t);
    if (!t || dnnl_stream_create(&t->stream, engine, dnnl_stream_default_flags) != dnnl_success
        || pthread_setspecific(state_key, t) != 0) {
        if (t && t->stream) dnnl_stream_destroy(t->stream);
        free(t);
        return NULL;
    }
    return t;
}

static void *thread_buffer(struct thread_state *t, int slot, size_t bytes) {
    if (bytes > t->size[slot]) {
        void *grown = aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (!grown) return NULL;
        free(t->buffer[slot]);
        t->buffer[slot] = grown;
        t->size[slot] = bytes;
    }
    return t->buffer[slot];
}

uint16_t *cs_dnnl_rounding_buffer(size_t values) {
    struct thread_state *t = thread_state();
    return t ? thread_buffer(t, ROUNDED, values * sizeof(uint16_t)) : NULL;
}

// The primitive for one input shape and epilogue.
struct plan {
    int m, lda, ldc, activation, accumulate;
    md_t src, dst, scratch;
    dnnl_primitive_t product;
    size_t scratch_bytes;
    struct plan *next;
};

struct cs_dnnl_matmul {
    int n, k, bf16;
    md_t weight_md, bias_md;
    dnnl_memory_t weight, bias;
    pthread_mutex_t lock;
    struct plan *plans;
};

static dnnl_alg_kind_t eltwise_kind(int activation, float *alpha) {
    *alpha = 0;
    switch (activation) {
    case CS_DNNL_GELU: return dnnl_eltwise_gelu_erf;
    case CS_DNNL_GELU_TANH: return dnnl_eltwise_gelu_tanh;
    case CS_DNNL_QUICK_GELU: *alpha = 1.702f; return dnnl_eltwise_swish;
    case CS_DNNL_RELU: return dnnl_eltwise_relu;
    default: return dnnl_alg_kind_undef;
    }
}

static dnnl_status_t product_pd(dnnl_primitive_desc_t *pd, md_ref src, md_ref weight, md_ref bias, md_ref dst,
                                int activation, int accumulate) {
    dnnl_primitive_attr_t attr;
    dnnl_post_ops_t po;
    TRY(dnnl_primitive_attr_create(&attr));
    dnnl_status_t s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (s == dnnl_success) s = dnnl_post_ops_create(&po);
    if (s == dnnl_success) {
        float alpha;
        dnnl_alg_kind_t kind = eltwise_kind(activation, &alpha);
        if (accumulate) s = append_sum(po);
        if (s == dnnl_success && kind != dnnl_alg_kind_undef) s = append_eltwise(po, kind, alpha);
        if (s == dnnl_success) s = dnnl_primitive_attr_set_post_ops(attr, po);
        dnnl_post_ops_destroy(po);
    }
    if (s == dnnl_success) s = matmul_pd(pd, engine, src, weight, bias, dst, attr);
    dnnl_primitive_attr_destroy(attr);
    return s;
}

// One reorder between two descriptions, run now on the calling thread.
static dnnl_status_t reorder_now(md_ref from_md, void *from, md_ref to_md, void *to) {
    struct thread_state *t = thread_state();
    if (!t) return dnnl_out_of_memory;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t r;
    dnnl_memory_t a, b;
    TRY(dnnl_reorder_primitive_desc_create(&pd, from_md, engine, to_md, engine, NULL));
    dnnl_status_t s = dnnl_primitive_create(&r, pd);
    dnnl_primitive_desc_destroy(pd);
    if (s != dnnl_success) return s;
    s = dnnl_memory_create(&a, from_md, engine, from);
    if (s == dnnl_success) {
        s = dnnl_memory_create(&b, to_md, engine, to);
        if (s == dnnl_success) {
            dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
            s = dnnl_primitive_execute(r, t->stream, 2, args);
            if (s == dnnl_success) s = dnnl_stream_wait(t->stream);
            dnnl_memory_destroy(b);
        }
        dnnl_memory_destroy(a);
    }
    dnnl_primitive_destroy(r);
    return s;
}

// The weight layout: what the primitive prefers for a mid-size input (layouts are blocked by
// n and k, so every row count the model sees runs on the same one).
#define LAYOUT_ROWS 128

static dnnl_status_t pack(cs_dnnl_matmul *mm, const float *w, int ldw, const float *bias) {
    dnnl_data_type_t type = mm->bf16 ? dnnl_bf16 : dnnl_f32;
    md_t src = md_strided(LAYOUT_ROWS, mm->k, type, mm->k, 1);
    md_t dst = md_strided(LAYOUT_ROWS, mm->n, dnnl_f32, mm->n, 1);
    dnnl_dims_t wdims = {mm->k, mm->n};
    md_t any;
#if DNNL_VERSION_MAJOR >= 3
    dnnl_memory_desc_create_with_tag(&any, 2, wdims, type, dnnl_format_tag_any);
#else
    dnnl_memory_desc_init_by_tag(&any, 2, wdims, type, dnnl_format_tag_any);
#endif
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = product_pd(&pd, MD(src), MD(any), bias ? MD(mm->bias_md) : NULL, MD(dst), CS_DNNL_LINEAR, 0);
    md_free(src);
    md_free(dst);
    md_free(any);
    TRY(s);
    mm->weight_md = md_copy(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
    dnnl_primitive_desc_destroy(pd);
    // W [n, k] row-major is the [k, n] operand with strides (1, ldw).
    md_t plain = md_strided(mm->k, mm->n, dnnl_f32, 1, ldw);
    void *handle;
    TRY(dnnl_memory_create(&mm->weight, MD(mm->weight_md), engine, DNNL_MEMORY_ALLOCATE));
    TRY(dnnl_memory_get_data_handle(mm->weight, &handle));
    s = reorder_now(MD(plain), (void *)w, MD(mm->weight_md), handle);
    md_free(plain);
    if (s != dnnl_success || !bias) return s;
    TRY(dnnl_memory_create(&mm->bias, MD(mm->bias_md), engine, DNNL_MEMORY_ALLOCATE));
    TRY(dnnl_memory_get_data_handle(mm->bias, &handle));
    memcpy(handle, bias, sizeof(float) * (size_t)mm->n);
    return dnnl_success;
}

cs_dnnl_matmul *cs_dnnl_matmul_create(const float *w, int n, int k, int ldw, const float *bias, int bf16) {
    if (!cs_dnnl_available() || n <= 0 || k <= 0) return NULL;
    cs_dnnl_matmul *mm = calloc(1, sizeof *mm);
    if (!mm) return NULL;
    mm->n = n;
    mm->k = k;
    mm->bf16 = bf16 != 0;
    mm->bias_md = md_strided(1, n, dnnl_f32, n, 1);
    pthread_mutex_init(&mm->lock, NULL);
    if (pack(mm, w, ldw, bias) != dnnl_success) {
        cs_dnnl_matmul_destroy(mm);
        return NULL;
    }
    return mm;
}

void cs_dnnl_matmul_destroy(cs_dnnl_matmul *mm) {
    if (!mm) return;
    for (struct plan *p = mm->plans, *next; p; p = next) {
        next = p->next;
        dnnl_primitive_destroy(p->product);
        md_free(p->src);
        md_free(p->dst);
        md_free(p->scratch);
        free(p);
    }
    if (mm->weight) dnnl_memory_destroy(mm->weight);
    if (mm->bias) dnnl_memory_destroy(mm->bias);
    if (mm->weight) md_free(mm->weight_md);
    md_free(mm->bias_md);
    pthread_mutex_destroy(&mm->lock);
    free(mm);
}

void cs_dnnl_round_bf16(const float *a, int m, int k, int lda, uint16_t *out) {
    for (int i = 0; i < m; i++) {
        const uint32_t *row = (const uint32_t *)(a + (size_t)i * lda);
        uint16_t *to = out + (size_t)i * k;
        for (int j = 0; j < k; j++) {
            uint32_t bits = row[j];
            to[j] = (uint16_t)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
        }
    }
}

static dnnl_status_t make_plan(cs_dnnl_matmul *mm, struct plan *p) {
    p->src = md_strided(p->m, mm->k, mm->bf16 ? dnnl_bf16 : dnnl_f32, p->lda, 1);
    p->dst = md_strided(p->m, mm->n, dnnl_f32, p->ldc, 1);
    dnnl_primitive_desc_t pd;
    TRY(product_pd(&pd, MD(p->src), MD(mm->weight_md), mm->bias ? MD(mm->bias_md) : NULL, MD(p->dst),
                   p->activation, p->accumulate));
    p->scratch = md_copy(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0));
    p->scratch_bytes = dnnl_memory_desc_get_size(MD(p->scratch));
    dnnl_status_t s = dnnl_primitive_create(&p->product, pd);
    dnnl_primitive_desc_destroy(pd);
    return s;
}

// The plan for this call, made once under the lock and then only read.
static struct plan *find_plan(cs_dnnl_matmul *mm, int m, int lda, int ldc, int activation, int accumulate,
                              dnnl_status_t *status) {
    pthread_mutex_lock(&mm->lock);
    struct plan *p = mm->plans;
    while (p && !(p->m == m && p->lda == lda && p->ldc == ldc && p->activation == activation
                  && p->accumulate == accumulate)) p = p->next;
    if (!p && (p = calloc(1, sizeof *p))) {
        *p = (struct plan){.m = m, .lda = lda, .ldc = ldc, .activation = activation, .accumulate = accumulate};
        *status = make_plan(mm, p);
        if (*status == dnnl_success) {
            p->next = mm->plans;
            mm->plans = p;
        } else {
            if (p->product) dnnl_primitive_destroy(p->product);
            free(p);
            p = NULL;
        }
    } else if (!p) {
        *status = dnnl_out_of_memory;
    }
    pthread_mutex_unlock(&mm->lock);
    return p;
}

int cs_dnnl_matmul_run(cs_dnnl_matmul *mm, const void *a, int m, int lda, float *c, int ldc,
                       int activation, int accumulate, int threads) {
    if (m <= 0) return dnnl_success;
    dnnl_status_t s = dnnl_success;
    struct thread_state *t = thread_state();
    if (!t) return dnnl_out_of_memory;
    struct plan *p = find_plan(mm, m, lda, ldc, activation, accumulate, &s);
    if (!p) return s;
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
    // OpenMP's thread count is the calling thread's own setting.
    if (threads >= 1 && omp_get_max_threads() != threads) omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    dnnl_memory_t src = NULL, dst = NULL, scratch = NULL;
    s = dnnl_memory_create(&src, MD(p->src), engine, (void *)a);
    if (s == dnnl_success) s = dnnl_memory_create(&dst, MD(p->dst), engine, c);
    if (s == dnnl_success && p->scratch_bytes) {
        void *buffer = thread_buffer(t, SCRATCHPAD, p->scratch_bytes);
        s = buffer ? dnnl_memory_create(&scratch, MD(p->scratch), engine, buffer) : dnnl_out_of_memory;
    }
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, mm->weight}, {DNNL_ARG_DST, dst}};
        int count = 3;
        if (mm->bias) args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, mm->bias};
        if (scratch) args[count++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, scratch};
        s = dnnl_primitive_execute(p->product, t->stream, count, args);
        if (s == dnnl_success) s = dnnl_stream_wait(t->stream);
    }
    if (src) dnnl_memory_destroy(src);
    if (dst) dnnl_memory_destroy(dst);
    if (scratch) dnnl_memory_destroy(scratch);
    return s;
}

int cs_dnnl_matmul_unpack(const cs_dnnl_matmul *mm, float *w) {
    md_t plain = md_strided(mm->k, mm->n, dnnl_f32, 1, mm->k);
    void *handle;
    dnnl_status_t s = dnnl_memory_get_data_handle(mm->weight, &handle);
    if (s == dnnl_success) s = reorder_now(MD(mm->weight_md), handle, MD(plain), w);
    md_free(plain);
    return s;
}
