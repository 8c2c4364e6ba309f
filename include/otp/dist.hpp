#pragma once
// L6: distribution. A node that joins an Erlang cluster (see otp/dist/distributed_node.hpp).

#include <otp/dist/distributed_node.hpp>
