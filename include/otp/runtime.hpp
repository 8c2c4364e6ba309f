#pragma once
// Layer L1: processes, schedulers, signals, names and timers.
#include <otp/runtime/errors.hpp>
#include <otp/runtime/node.hpp>
#include <otp/runtime/node_monitor.hpp>
#include <otp/runtime/process.hpp>
#include <otp/runtime/reactor.hpp>
#include <otp/runtime/remote_route.hpp>
#include <otp/runtime/timeout.hpp>
#include <otp/runtime/timer.hpp>
