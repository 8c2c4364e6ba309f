// The module name a gen_server callback class is reported under (Erlang's Mod).

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <otp/detail/gen_server_process.hpp>

namespace otp::detail {

atom gen_server_module_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  std::string_view name = status == 0 && demangled ? std::string_view(demangled.get()) : type.name();
  // Erlang module names are flat: keep the class's own name, without namespaces or template
  // arguments ("(anonymous namespace)::counter<int>" is reported as counter).
  name = name.substr(0, name.find('<'));
  if (const auto colons = name.rfind("::"); colons != std::string_view::npos) name.remove_prefix(colons + 2);
  return atom(name);
}

}  // namespace otp::detail
