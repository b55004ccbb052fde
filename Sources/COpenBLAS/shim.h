// cblas from Debian's libopenblas-dev; the include path comes from pkg-config (openblas.pc).
#include <cblas.h>
// OpenBLAS's own thread-count controls, so the pipeline can avoid oversubscribing the cores.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
