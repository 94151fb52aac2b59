// Everything in CRetraceSupport is inline in include/retrace_support.h.
#include "retrace_support.h"
