#include <otp/runtime/errors.hpp>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace otp {
namespace {

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

}  // namespace

term exception_reason(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const exit_exception& x) {
    return x.reason();
  } catch (const erlang_error& x) {
    return x.reason();
  } catch (const std::exception& x) {
    return tuple(atoms::exception, binary(demangle(typeid(x).name())), binary(x.what()));
  } catch (...) {
    return tuple(atoms::exception, binary("unknown"), binary(""));
  }
}

}  // namespace otp
