// One core's GEMM throughput: OpenBLAS's float32 sgemm (single-threaded) beside ClipStream's
// bfloat16 kernel (CBFloat16) on the same product, best of 10. docs/performance.md's fp32
// ceiling and bf16 figures come from this.
//
//   clang -O2 -ISources/CBFloat16/include tools/gemm_peak.c Sources/CBFloat16/bf16_gemm.c \
//       -lopenblas -lpthread -o /tmp/gemm_peak
//   OPENBLAS_CORETYPE=Haswell /tmp/gemm_peak 577 3072 768    # M N K: OWL-ViT's fc1
#include <cblas.h>
#include "CBFloat16.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){int m=atoi(argv[1]),n=atoi(argv[2]),k=atoi(argv[3]);
 openblas_set_num_threads(1);
 float*a=malloc(4L*m*k),*w=malloc(4L*n*k),*c=malloc(4L*m*n);
 for(long i=0;i<(long)m*k;i++)a[i]=rand()/(float)RAND_MAX-.5f;for(long i=0;i<(long)n*k;i++)w[i]=rand()/(float)RAND_MAX-.5f;
 double bs=1e9,bb=1e9;
 uint32_t*pw=malloc(4*cs_bf16_packed_words(n,k));cs_bf16_pack_weights(w,n,k,k,pw);
 uint32_t*pa=cs_bf16_thread_scratch(0,cs_bf16_packed_rows_words(m,k));
 for(int r=0;r<10;r++){double t=now();cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,m,n,k,1,a,k,w,k,0,c,n);t=now()-t;if(t<bs)bs=t;
  t=now();cs_bf16_pack_rows(a,m,k,k,pa);cs_bf16_gemm_panels(m,n,k,pa,pw,0,cs_bf16_panel_count(n),c,n,0,NULL,CS_BF16_LINEAR);t=now()-t;if(t<bb)bb=t;}
 printf("%dx%dx%d one core: fp32 sgemm %.1f GFLOPS, bf16 kernel %.1f GFLOPS\n",m,n,k,2.0*m*n*k/bs/1e9,2.0*m*n*k/bb/1e9);}
