#pragma once
// A remote_route that takes every signal and drops it, each call answering "reachable": the base
// for test routes that only look at some calls. Node monitors keep the interface's defaults.

#include <otp/runtime/remote_route.hpp>

namespace otp::test {

struct accepting_route : remote_route {
  bool send(const pid&, const pid&, const term&) override { return true; }
  bool send_named(const pid&, atom, atom, const term&) override { return true; }
  bool send_alias(const pid&, const ref&, const term&) override { return true; }
  bool link(const pid&, const pid&) override { return true; }
  bool unlink(const pid&, const pid&) override { return true; }
  bool exit(const pid&, const pid&, const term&, bool) override { return true; }
  bool monitor(const pid&, const pid&, const ref&) override { return true; }
  bool monitor_named(const pid&, atom, atom, const ref&) override { return true; }
  bool demonitor(const pid&, const pid&, const ref&) override { return true; }
  bool demonitor_named(const pid&, atom, atom, const ref&) override { return true; }
  bool down(const pid&, const pid&, const ref&, const term&) override { return true; }
};

}  // namespace otp::test
