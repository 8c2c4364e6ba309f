// Hot paths of the term layer: the External Term Format codec on a typical message, and atoms.
//
// Run: cmake --preset release && cmake --build --preset release &&
//      build/release/bench/term_bench [--benchmark_filter=...]
// "Typical" is what crosses a distribution connection most: a gen_server call, i.e.
// {'$gen_call', {Pid, [alias | Ref]}, {put, <<"user:42">>, #{...}}} with a small map of a binary,
// integers, a float, a list of atoms and a string.

#include <benchmark/benchmark.h>

#include <string>

#include <otp/term/atom.hpp>
#include <otp/term/etf.hpp>
#include <otp/term/term.hpp>

using namespace otp;
using namespace otp::literals;

namespace {

term typical_term() {
  const pid caller{.node = atom("bench@host"), .id = 83, .serial = 0, .creation = 1700000000};
  ref tag{.node = atom("bench@host"), .creation = 1700000000, .len = 3};
  tag.ids = {0x1234u, 0x5678u, 0x9abcu, 0, 0};
  const term request = tuple("put"_a, binary("user:42"),
                             map({{"name"_a, binary("Ada Lovelace")},
                                  {"age"_a, 36},
                                  {"score"_a, 9.5},
                                  {"langs"_a, list("erlang"_a, "elixir"_a, "cpp"_a)},
                                  {"city"_a, string("London")},
                                  {"visits"_a, int64_t(1) << 40}}));
  return tuple(atoms::gen_call, tuple(caller, cons(atoms::alias, tag)), request);
}

void bytes_counter(benchmark::State& state, std::size_t bytes) {
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
}

// term_to_binary/1: a fresh string per term.
void BM_EtfEncode(benchmark::State& state) {
  const term t = typical_term();
  std::size_t size = 0;
  for (auto _ : state) {
    std::string bytes = etf::encode(t);
    size = bytes.size();
    benchmark::DoNotOptimize(bytes.data());
  }
  bytes_counter(state, size);
}
BENCHMARK(BM_EtfEncode);

// Encoding into a reused buffer, as a connection's send path does.
void BM_EtfEncodeTo(benchmark::State& state) {
  const term t = typical_term();
  std::string buffer;
  for (auto _ : state) {
    buffer.clear();
    etf::encode_to(buffer, t);
    benchmark::DoNotOptimize(buffer.data());
  }
  bytes_counter(state, buffer.size());
}
BENCHMARK(BM_EtfEncodeTo);

// The terms after a distribution header with the atom cache: each atom becomes an ATOM_CACHE_REF
// listed in the frame's refs (cleared per frame), as a connection to an erl node sends them.
void BM_EtfEncodeWithAtomCacheRefs(benchmark::State& state) {
  const term t = typical_term();
  std::string buffer;
  etf::atom_cache_refs refs;
  for (auto _ : state) {
    buffer.clear();
    refs.clear();
    etf::encode_body_to(buffer, t, refs);
    benchmark::DoNotOptimize(buffer.data());
  }
  bytes_counter(state, buffer.size());
}
BENCHMARK(BM_EtfEncodeWithAtomCacheRefs);

// The same terms decoded through the header's atoms: no atom-table lookup.
void BM_EtfDecodeWithAtomCacheRefs(benchmark::State& state) {
  const term t = typical_term();
  std::string body;
  etf::atom_cache_refs refs;
  etf::encode_body_to(body, t, refs);
  const etf::decode_limits limits{.atom_cache = refs.atoms()};
  for (auto _ : state) {
    auto back = etf::decode_body(body, limits);
    benchmark::DoNotOptimize(back);
  }
  bytes_counter(state, body.size());
}
BENCHMARK(BM_EtfDecodeWithAtomCacheRefs);

// binary_to_term/1; atoms already exist, as they do on a connection after the first messages.
void BM_EtfDecode(benchmark::State& state) {
  const std::string bytes = etf::encode(typical_term());
  for (auto _ : state) {
    auto decoded = etf::decode(bytes);
    if (!decoded) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  bytes_counter(state, bytes.size());
}
BENCHMARK(BM_EtfDecode);

// binary_to_term(B, [safe]): no new atoms allowed.
void BM_EtfDecodeSafe(benchmark::State& state) {
  const std::string bytes = etf::encode(typical_term());
  etf::decode_limits limits;
  limits.atoms = etf::atom_policy::existing_only;
  for (auto _ : state) {
    auto decoded = etf::decode(bytes, limits);
    if (!decoded) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  bytes_counter(state, bytes.size());
}
BENCHMARK(BM_EtfDecodeSafe);

// The round trip a decoded term is checked with: decode then compare to the original.
void BM_EtfDecodeCompare(benchmark::State& state) {
  const term original = typical_term();
  const std::string bytes = etf::encode(original);
  for (auto _ : state) {
    auto decoded = etf::decode(bytes);
    if (!decoded || *decoded != original) state.SkipWithError("round trip changed the term");
  }
  bytes_counter(state, bytes.size());
}
BENCHMARK(BM_EtfDecodeCompare);

// atom(Name) for a name already interned (list_to_atom/1 of an existing atom): the table lookup.
void BM_AtomIntern(benchmark::State& state) {
  const std::string name = "bench_existing_atom";
  const atom expected(name);
  for (auto _ : state) {
    atom a(name);
    if (a != expected) state.SkipWithError("the lookup found another atom");
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_AtomIntern);

// atom::existing (binary_to_existing_atom/2), hit and miss.
void BM_AtomExisting(benchmark::State& state) {
  const bool hit = state.range(0) == 1;
  const std::string name = hit ? "bench_existing_atom" : "bench_never_interned_atom";
  if (hit) (void)atom(name);
  for (auto _ : state) {
    auto a = atom::existing(name);
    if (a.has_value() != hit) state.SkipWithError("unexpected lookup result");
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_AtomExisting)->Arg(1)->Arg(0);

// atom_to_list/1's first step: the name of an atom (lock-free).
void BM_AtomName(benchmark::State& state) {
  const atom a("bench_existing_atom");
  for (auto _ : state) {
    std::string_view name = a.name();
    benchmark::DoNotOptimize(name.data());
  }
}
BENCHMARK(BM_AtomName);

}  // namespace

BENCHMARK_MAIN();
