#pragma once
// Typed requests for gen_server: C++ types for requests and replies, checked at compile time,
// on top of the term-based calls.
//
// A typed request is a struct that names its reply type:
//
//   struct add { int64_t amount; using reply_type = int64_t; };
//
//   int64_t total = gen_server::call(counter, add{5});            // the reply is an int64_t
//
//   call_result handle_call(const term& request, const from& from, term state) {
//     if (const add* r = gen_server::request_as<add>(request))
//       return reply(gen_server::typed_reply(*r, total + r->amount), state);   // must be an int64_t
//     ...
//   }
//
// Requests and replies travel as opaque local terms (otp::make_opaque), so typed calls reach
// servers on this node only; a server on another node, or an Erlang one, takes term requests.
// A reply of the wrong type is a program error: the caller exits with {bad_reply, Request}, as a
// failed match on the reply would in Erlang.

#include <concepts>
#include <type_traits>
#include <utility>

#include <otp/behaviours/gen_server.hpp>

namespace otp::gen_server {

/// A request type: a copyable struct with a `reply_type`.
template <class Request>
concept typed_request = std::copy_constructible<Request> && requires {
  typename Request::reply_type;
};

/// The request (or cast message) if `request` carries a `Request`, else nullptr.
template <class Request>
const Request* request_as(const term& request) noexcept {
  return request.opaque_get<Request>();
}

/// The reply to a `Request`: only a value convertible to its reply_type compiles.
template <typed_request Request, class Value>
requires std::convertible_to<Value, typename Request::reply_type> term typed_reply(const Request&,
                                                                                   Value&& value) {
  return make_opaque<typename Request::reply_type>(std::forward<Value>(value));
}

/// gen_server:call with a typed request: returns the typed reply.
template <typed_request Request>
typename Request::reply_type call(const server_ref& server, Request request, timeout t = timeout::ms(5000)) {
  // Qualified: the term overload, not gen::call found through the server_ref's namespace.
  const term reply = gen_server::call(server, make_opaque<Request>(std::move(request)), t);
  const auto* value = reply.opaque_get<typename Request::reply_type>();
  if (value == nullptr) otp::exit(tuple(atom("bad_reply"), reply));
  return *value;
}

/// gen_server:cast with a typed message (read it in handle_cast with request_as).
template <class Message>
requires std::copy_constructible<Message>
void cast_typed(const server_ref& server, Message message) {
  gen_server::cast(server, make_opaque<Message>(std::move(message)));
}

}  // namespace otp::gen_server
