// ETF against a real Erlang node (erl from erlang-base, OTP 25 or later), in two erl runs:
//
//  1. erl encodes ~45 diverse terms (term_to_binary(T, [{minor_version, 2}]), some [compressed]) and
//     prints each with ~tp and ~w. We decode every one; it must print as erl printed it, and encode
//     back to the very same bytes (except a map of more than 32 keys, whose order is the BEAM's
//     hash order).
//  2. erl reads what we encoded: our re-encodings of step 1, and terms built in C++ paired with the
//     Erlang expression they stand for. For each, erl checks binary_to_term(Ours) =:= Expected and,
//     where term_to_binary is deterministic, term_to_binary(binary_to_term(Ours)) =:= Ours.
//
// Skips when no erl is installed (CI installs erlang-base, so it runs there).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <otp/term/etf.hpp>

namespace fs = std::filesystem;
using namespace otp;

namespace {

std::string find_erl() {
#ifdef OTP_ERL
  if (std::string_view(OTP_ERL).size() > 0) return OTP_ERL;
#endif
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir) / "erl";
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string from_hex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += char(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool has_flag(const std::string& flags, std::string_view flag) {
  std::stringstream in(flags);
  for (std::string f; std::getline(in, f, ',');) {
    if (f == flag) return true;
  }
  return false;
}

// A scratch directory for the scripts and data exchanged with erl, removed afterwards.
class scratch_dir {
 public:
  scratch_dir() {
    std::string pattern = (fs::temp_directory_path() / "otp_etf_erl_XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~scratch_dir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs `script` (a sequence of Erlang expressions) with file:script/1 in a fresh erl; returns what it
// printed on stdout, or fails the test with its stderr.
std::string run_erl(const std::string& erl, const fs::path& dir, const std::string& name,
                    const std::string& script) {
  const fs::path script_file = dir / (name + ".script");
  const fs::path err_file = dir / (name + ".err");
  std::ofstream(script_file) << script;
  // +pc unicode: print code points above 255 as text, as otp::to_string does. No crash dump files.
  const std::string command =
      "ERL_CRASH_DUMP_SECONDS=0 '" + erl + "' -noshell +pc unicode -eval 'case file:script(\"" +
      script_file.string() +
      "\") of {ok, _} -> halt(0); E -> io:format(standard_error, \"~p~n\", [E]), halt(1) "
      "end.' 2>'" +
      err_file.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return {};
  }
  std::string out;
  char buffer[65536];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status != 0) {
    std::ifstream err(err_file);
    std::stringstream text;
    text << err.rdbuf();
    ADD_FAILURE() << "erl failed (" << status << "): " << text.str();
  }
  return out;
}

// Shared by both erl runs.
constexpr const char* erl_helpers = R"erl(
Hex = fun(B) -> binary_to_list(binary:encode_hex(B)) end,
Text = fun(Format, T) -> Hex(unicode:characters_to_binary(io_lib:format(Format, [T]))) end,
)erl";

// Step 1: name, term and flags. Each line out: Name Bytes ~tp ~w Flags. Flags:
//  nobytes     no byte identity (a large map: the BEAM writes it in hash order);
//  compressed  term_to_binary(T, [compressed]) and our encode at level 6;
//  wtext       compare to_string with ~w, not ~tp: otp::to_string prints lists as strings only within
//              Latin-1 (erl's default +pc latin1) but atoms as Unicode (+pc unicode), so neither erl
//              setting matches both;
//  notext      no text comparison: otp::term orders {1.0} before {2} where OTP 25 maps keep integers
//              before floats at any depth; step 2 still checks the map with =:=.
constexpr const char* erl_cases = R"erl(
Y = 42,
Self = self(),
Ref = make_ref(),
Cases = [
  {int_zero, 0, []}, {int_255, 255, []}, {int_minus_one, -1, []}, {int_max32, 2147483647, []},
  {int_below_min32, -2147483649, []}, {int_2_64, 1 bsl 64, []}, {int_neg_big, -(1 bsl 64) - 12345, []},
  {int_2_2040, 1 bsl 2040, []}, {int_neg_2_2100, -(1 bsl 2100), []},
  {float_pi, 3.14159, []}, {float_tiny, -2.5e-300, []}, {float_huge, 1.0e308, []}, {float_neg_zero, -0.0, []},
  {atom_ok, ok, []}, {atom_empty, '', []}, {atom_spaces, 'hello world', []},
  {atom_cjk, list_to_atom([16#65E5, 16#672C, $x]), []}, {atom_latin1, list_to_atom([$c, 16#E9]), []},
  {atom_255_cjk, list_to_atom(lists:duplicate(255, 16#65E5)), []},
  {tuple_empty, {}, []}, {tuple_ok, {ok, [1, 2]}, []}, {tuple_300, list_to_tuple(lists:seq(1, 300)), []},
  {nil, [], []}, {string, "hello", []}, {improper, [1, 2 | 3], []}, {improper_atoms, [a | b], []},
  {nested_lists, [[], [[]], "x", 1.5 | tail], []}, {int_list, lists:seq(250, 300), [wtext]},
  {unicode_string, [16#65E5, $a], [wtext]},
  {bin_empty, <<>>, []}, {bin_bytes, <<1, 2, 3, 255>>, []}, {bin_utf8, <<"utf8 ", 16#65E5/utf8>>, []},
  {bits_1, <<1:1>>, []}, {bits_10, <<255, 3:2>>, []},
  {map_empty, #{}, []}, {map_small, #{a => 1, b => [2], "c" => <<"d">>}, []},
  {map_mixed_keys, #{1 => one, 1.0 => float_one, {2} => t, {1.0} => tf, {k} => #{nested => #{deep => true}}},
   [notext]},
  {map_large, maps:from_list([{I, I * I} || I <- lists:seq(1, 40)]), [nobytes, notext]},
  {export_fun, fun lists:map/2, []}, {export_operator, fun erlang:'+'/2, []},
  {pid, Self, []}, {ref, Ref, []}, {port, hd(erlang:ports()), []},
  {identifiers, {Self, Ref, [Self]}, []},
  {closure, fun(X) -> X + Y end, [notext]},
  {gen_call, {'$gen_call', {Self, [alias | Ref]}, {get, key}}, []},
  {compressed_atoms, lists:duplicate(100, hello), [compressed]},
  {compressed_binary, {big, binary:copy(<<"abc">>, 1000)}, [compressed]},
  {compressed_mixed, [{I, integer_to_list(I), <<I:16>>} || I <- lists:seq(1, 200)], [compressed]}
],
lists:foreach(
  fun({Name, T, Flags}) ->
    Opts = case lists:member(compressed, Flags) of
             true -> [compressed, {minor_version, 2}];
             false -> [{minor_version, 2}]
           end,
    io:format("~s ~s ~s ~s ~s~n",
              [Name, Hex(term_to_binary(T, Opts)), Text("~100000000tp", T), Text("~w", T),
               string:join(["-" | [atom_to_list(F) || F <- Flags]], ",")])
  end, Cases).
)erl";

// Step 2 reads lines `Name Mode Expected Ours Flags` (hex): Mode bin means Expected is erl's own
// encoding from step 1, expr that it is an Erlang expression. Each line out: Name ok|fail Text.
constexpr const char* erl_check = R"erl(
Unhex = fun(S) -> binary:decode_hex(S) end,
Eval = fun(Src) ->
  {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(Src) ++ "."),
  {ok, [Expr]} = erl_parse:parse_exprs(Tokens),
  {value, V, _} = erl_eval:expr(Expr, []),
  V
end,
{ok, Data} = file:read_file(Input),
lists:foreach(
  fun(Line) ->
    [Name, Mode, ExpHex, OurHex, FlagText] = string:split(Line, <<" ">>, all),
    Flags = string:split(FlagText, <<",">>, all),
    Opts = case lists:member(<<"compressed">>, Flags) of
             true -> [compressed, {minor_version, 2}];
             false -> [{minor_version, 2}]
           end,
    {Status, Msg} =
      try
        Ours = Unhex(OurHex),
        Expected = case Mode of
                     <<"bin">> -> binary_to_term(Unhex(ExpHex));
                     <<"expr">> -> Eval(Unhex(ExpHex))
                   end,
        Got = binary_to_term(Ours),
        Again = term_to_binary(Got, Opts),
        if
          Got =/= Expected -> {fail, io_lib:format("got ~w, expected ~w", [Got, Expected])};
          Again =/= Ours ->
            case lists:member(<<"same">>, Flags) of
              true -> {fail, io_lib:format("term_to_binary gives ~w, we gave ~w", [Again, Ours])};
              false -> {ok, io_lib:format("~w", [Got])}
            end;
          true -> {ok, io_lib:format("~w", [Got])}
        end
      catch C:R:S -> {fail, io_lib:format("~p:~p ~p", [C, R, S])}
      end,
    io:format("~s ~s ~s~n", [Name, Status, Hex(unicode:characters_to_binary(Msg))])
  end, string:split(string:trim(Data), <<"\n">>, all)).
)erl";

struct erl_case {
  std::string name;
  std::string bytes;
  std::string text;    // ~tp, one line
  std::string w_text;  // ~w
  std::string flags;
};

// Terms built in C++, the Erlang expression each stands for, and whether term_to_binary of that
// expression must give our bytes exactly.
struct native_case {
  std::string name;
  term value;
  std::string erlang;
  bool same_bytes = true;
  bool compressed = false;
};

std::vector<native_case> native_cases() {
  const atom remote("other@host");
  std::string cjk255;
  for (int i = 0; i < 255; ++i) cjk255 += "\xE6\x97\xA5";
  term nested;
  for (int i = 0; i < 10000; ++i) nested = list(nested);
  std::vector<term> ints;
  for (int i = 1; i <= 1000; ++i) ints.emplace_back(i);
  std::vector<std::pair<term, term>> squares;
  for (int i = 1; i <= 40; ++i) squares.emplace_back(i, i * i);
  return {
      {"tuple", tuple(atoms::ok, list(1, 2)), "{ok, [1, 2]}"},
      {"improper", make_list(std::vector<term>{1, 2}, term(3)), "[1, 2 | 3]"},
      {"bignum", integer_from_string("-123456789012345678901234567890"), "-123456789012345678901234567890"},
      {"uint64_max", term(UINT64_MAX), "18446744073709551615"},
      {"int64_min", term(INT64_MIN), "-9223372036854775808"},
      {"float", term(0.1), "0.1"},
      {"atom_cjk", term(atom("\xE6\x97\xA5\xE6\x9C\xAC")), "list_to_atom([16#65E5, 16#672C])"},
      {"atom_255_cjk", term(atom(cjk255)), "list_to_atom(lists:duplicate(255, 16#65E5))"},
      {"latin1_string", string("h\xC3\xA9llo"), "[104, 233, 108, 108, 111]"},
      {"unicode_string", string("\xE6\x97\xA5!"), "[16#65E5, $!]"},
      {"binary", binary(std::string(300, 'x')), "binary:copy(<<\"x\">>, 300)"},
      {"bits", bitstring("\xA0", 3), "<<5:3>>"},
      {"map_order", map({{atom("a"), 1}, {1.0, 2}, {2, 3}, {tuple(1.0), 4}, {tuple(2), 5}}),
       "#{a => 1, 1.0 => 2, 2 => 3, {1.0} => 4, {2} => 5}"},
      {"map_key_map", map({{map({{atom("k"), list(atom("v"))}}), make_map({})}}), "#{#{k => [v]} => #{}}"},
      {"map_large", make_map(squares), "maps:from_list([{I, I * I} || I <- lists:seq(1, 40)])", false},
      {"remote_pid", term(pid{remote, 5, 6, 7}),
       "binary_to_term(<<131, 88, 119, 10, \"other@host\", 5:32, 6:32, 7:32>>)"},
      {"remote_port_v4", term(port{remote, uint64_t(1) << 40, 9}),
       "binary_to_term(<<131, 120, 119, 10, \"other@host\", (1 bsl 40):64, 9:32>>)"},
      {"remote_ref_5", term(ref{remote, 9, 5, {1, 2, 3, 4, 5}}),
       "binary_to_term(<<131, 90, 5:16, 119, 10, \"other@host\", 9:32, 1:32, 2:32, 3:32, 4:32, 5:32>>)"},
      {"export", export_fun(atom("lists"), atom("reverse"), 1), "fun lists:reverse/1"},
      {"ints", make_list(ints), "lists:seq(1, 1000)"},
      {"nested_10000", nested, "lists:foldl(fun(_, A) -> [A] end, [], lists:seq(1, 10000))"},
      {"empties", tuple(tuple(), make_map({}), binary(""), term()), "{{}, #{}, <<>>, []}"},
      {"compressed", tuple(atom("big"), binary(std::string(5000, 'q'))),
       "{big, binary:copy(<<\"q\">>, 5000)}", true, true},
      {"compressed_list", make_list(ints), "lists:seq(1, 1000)", true, true},
  };
}

}  // namespace

TEST(EtfErlInterop, DecodesWhatErlEncodesAndErlDecodesWhatWeEncode) {
  const std::string erl = find_erl();
  if (erl.empty()) GTEST_SKIP() << "erl not found on PATH: install erlang-base to run the ETF interop test";
  scratch_dir dir;
  ASSERT_FALSE(dir.path().empty());

  // ---- step 1: erl encodes, we decode ----------------------------------------------------------------
  const std::string out1 = run_erl(erl, dir.path(), "encode", std::string(erl_helpers) + erl_cases);
  std::vector<erl_case> cases;
  std::stringstream lines(out1);
  for (std::string line; std::getline(lines, line);) {
    const auto w = words(line);
    ASSERT_EQ(w.size(), 5u) << line;
    cases.push_back({w[0], from_hex(w[1]), from_hex(w[2]), from_hex(w[3]), w[4]});
  }
  ASSERT_GE(cases.size(), 40u) << out1;

  std::string input;  // for step 2
  std::map<std::string, std::string> w_texts;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto decoded = etf::decode(c.bytes);
    ASSERT_TRUE(decoded) << decoded.error().message;
    const bool compressed = has_flag(c.flags, "compressed");
    const std::string ours = etf::encode(*decoded, {.compression_level = compressed ? 6 : 0});
    if (!has_flag(c.flags, "nobytes")) {
      EXPECT_EQ(to_hex(ours), to_hex(c.bytes));
    }
    if (has_flag(c.flags, "wtext")) {
      EXPECT_EQ(to_string(*decoded), c.w_text);
    } else if (!has_flag(c.flags, "notext")) {
      EXPECT_EQ(to_string(*decoded), c.text);
    }
    if (c.name == "closure") {
      const fun_info f = fun_of(*decoded);
      EXPECT_FALSE(f.is_export);
      EXPECT_EQ(f.module, atom("erl_eval"));
      EXPECT_EQ(f.arity, 1);
    }
    if (c.name == "map_large") {
      EXPECT_EQ(decoded->map_size(), 40u);
      EXPECT_EQ(*decoded->map_find(term(7)), term(49));
    }
    w_texts[c.name] = c.w_text;
    std::string flags = has_flag(c.flags, "nobytes") ? "-" : "same";
    if (compressed) flags += ",compressed";
    input += c.name + " bin " + to_hex(c.bytes) + " " + to_hex(ours) + " " + flags + "\n";
  }
  for (const auto& n : native_cases()) {
    const std::string ours = etf::encode(n.value, {.compression_level = n.compressed ? 6 : 0});
    if (n.compressed) {
      EXPECT_EQ(uint8_t(ours[1]), 80) << n.name;
    }
    std::string flags = n.same_bytes ? "same" : "-";
    if (n.compressed) flags += ",compressed";
    input += "native_" + n.name + " expr " + to_hex(n.erlang) + " " + to_hex(ours) + " " + flags + "\n";
  }

  // ---- step 2: we encode, erl decodes -------------------------------------------------------------------
  const fs::path input_file = dir.path() / "ours.txt";
  std::ofstream(input_file) << input;
  const std::string out2 =
      run_erl(erl, dir.path(), "check",
              std::string(erl_helpers) + "Input = \"" + input_file.string() + "\",\n" + erl_check);
  std::size_t checked = 0;
  std::stringstream results(out2);
  for (std::string line; std::getline(results, line);) {
    const auto w = words(line);
    ASSERT_GE(w.size(), 2u) << line;
    const std::string text = w.size() > 2 ? from_hex(w[2]) : "";
    ++checked;
    EXPECT_EQ(w[1], "ok") << w[0] << ": " << text;
    if (w[1] == "ok" && w_texts.count(w[0])) {
      EXPECT_EQ(text, w_texts[w[0]]) << w[0];
    }
  }
  EXPECT_EQ(checked, cases.size() + native_cases().size()) << out2;
}
