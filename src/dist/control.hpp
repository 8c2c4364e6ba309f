#pragma once
// Distribution control messages (erl_dist_protocol, "Protocol between Connected Nodes"): the
// operation codes, and acting on the ones a peer sends.

#include <cstdint>

#include <otp/runtime/node.hpp>

namespace otp::dist::detail {

class connection;

namespace op {
inline constexpr int64_t link = 1;
inline constexpr int64_t send = 2;
inline constexpr int64_t exit = 3;
inline constexpr int64_t reg_send = 6;
inline constexpr int64_t group_leader = 7;
inline constexpr int64_t exit2 = 8;
inline constexpr int64_t send_tt = 12;
inline constexpr int64_t exit_tt = 13;
inline constexpr int64_t reg_send_tt = 16;
inline constexpr int64_t exit2_tt = 18;
inline constexpr int64_t monitor_p = 19;
inline constexpr int64_t demonitor_p = 20;
inline constexpr int64_t monitor_p_exit = 21;
inline constexpr int64_t spawn_request = 29;
inline constexpr int64_t spawn_request_tt = 30;
inline constexpr int64_t spawn_reply = 31;
inline constexpr int64_t alias_send = 33;
inline constexpr int64_t alias_send_tt = 34;
inline constexpr int64_t unlink_id = 35;
inline constexpr int64_t unlink_id_ack = 36;
}  // namespace op

/// Acts on one control message from `from` (and its payload, for the sends). Throws
/// std::invalid_argument for a malformed one: the connection is then taken down, as erts does
/// with a corrupt frame.
void handle_control(connection& from, otp::node& local, const term& control, const term* payload);

}  // namespace otp::dist::detail
