#pragma once
// L4: the supervisor (see otp/supervisor/supervisor.hpp).

#include <otp/supervisor/supervisor.hpp>
