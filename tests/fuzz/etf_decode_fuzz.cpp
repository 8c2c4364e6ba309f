// libFuzzer harness for the ETF decoder (tests/fuzz/CMakeLists.txt; not part of the default test run).
//
// Property: any input either decodes or yields a decode_error, without crashing, leaking or tripping
// ASan/UBSan; and a decoded term encodes again to bytes that decode to an equal term.
//
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DOTP_BUILD_FUZZ=ON \
//         -DOTP_SANITIZE='address;undefined'
//   cmake --build build-fuzz --target etf_decode_fuzz && build-fuzz/tests/fuzz/etf_decode_fuzz -max_len=4096
//
// Built with a compiler without libFuzzer, the binary replays the files named on its command line.

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include <otp/term/etf.hpp>

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "etf_decode_fuzz: %s\n", what);
  __builtin_trap();
}

void check_round_trip(const otp::term& t, const otp::etf::decode_limits& limits) {
  const std::string again = otp::etf::encode(t);
  const auto back = otp::etf::decode(again, limits);
  if (!back) broken("a decoded term re-encodes to bytes that do not decode");
  if (!(*back == t)) broken("a decoded term does not survive encode/decode");
  if (otp::etf::encoded_body_size(t) + 1 != again.size()) broken("encoded_body_size disagrees with encode");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Small caps keep each run fast; the limits themselves are part of what is tested.
  const otp::etf::decode_limits limits{
      .max_depth = 256, .max_terms = 1 << 20, .max_uncompressed_size = 1 << 20};
  if (const auto t = otp::etf::decode(input, limits)) check_round_trip(*t, limits);
  if (const auto b = otp::etf::decode_body_prefix(input, limits)) {
    if (b->consumed > size) broken("decode_body_prefix consumed more than its input");
    check_round_trip(b->value, limits);
  }
  return 0;
}

#ifdef OTP_FUZZ_STANDALONE_MAIN
int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  return 0;
}
#endif
