// oneDNN's C API from Debian's libdnnl-dev (2.x) or a newer distribution's (3.x); it ships no
// pkg-config file, and its headers sit in the default include path.
#include <oneapi/dnnl/dnnl.h>
