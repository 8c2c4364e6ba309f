#pragma once
// Layer L2: gen (start, call, reply), proc_lib, sys and logger.
#include <otp/gen/from.hpp>
#include <otp/gen/gen.hpp>
#include <otp/gen/proc_lib.hpp>
#include <otp/gen/server_ref.hpp>
#include <otp/gen/sys.hpp>
#include <otp/logger.hpp>
