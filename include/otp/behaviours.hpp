#pragma once
// Layer L3: the behaviours (gen_server so far).
#include <otp/behaviours/gen_server.hpp>
#include <otp/behaviours/gen_server_actions.hpp>
#include <otp/behaviours/typed_call.hpp>
