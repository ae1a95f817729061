#include "common/bench.h"
