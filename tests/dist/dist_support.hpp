#pragma once
// Helpers for distribution tests: a private epmd per test binary, and real erl nodes.
//
// Each test binary starts its own epmd on a port of its own (never the machine's 4369) and stops
// it at the end, so tests neither depend on nor disturb an epmd the user runs. Erlang peers
// find it through ERL_EPMD_PORT.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <otp/behaviours.hpp>
#include <otp/dist.hpp>

extern char** environ;

namespace otp::test {

inline std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

/// A child process with its output in a file; killed (if still running) when destroyed.
class child_process {
 public:
  child_process(std::vector<std::string> argv, const std::string& output_path) : output_(output_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~child_process() { kill(); }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  bool started() const { return pid_ > 0; }
  /// Whether it has not exited yet.
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
    pid_ = -1;
    return false;
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  /// Waits for the exit (at most `limit`, then kills); true if it exited by itself with status 0.
  bool wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (pid_ > 0) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
      }
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
    return false;
  }
  std::string output() const {
    std::ifstream in(output_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  pid_t pid_ = -1;
  std::string output_;
};

/// A private epmd for this test binary, on a port derived from the process id.
class private_epmd {
 public:
  private_epmd() {
    epmd_ = find_program("epmd");
    if (epmd_.empty()) return;
    dir_ = std::filesystem::temp_directory_path() / ("otp_dist_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    // A port derived from the process id (ctest runs test cases as parallel processes); if it is
    // taken, epmd exits at once and the next candidate is tried.
    for (int attempt = 0; attempt < 20; ++attempt) {
      port_ = uint16_t(20000 + (::getpid() * 7 + attempt * 7919) % 30000);
      process_ = std::make_unique<child_process>(
          std::vector<std::string>{epmd_, "-port", std::to_string(port_)}, (dir_ / "epmd.log").string());
      if (answers() && process_->running()) {
        ::setenv("ERL_EPMD_PORT", std::to_string(port_).c_str(), 1);
        return;
      }
      process_.reset();
    }
    epmd_.clear();  // no epmd of our own: the tests skip
  }
  ~private_epmd() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  bool available() const { return !epmd_.empty(); }
  uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  /// Whether an epmd answers on port_ (`epmd -names`), retried while ours starts.
  bool answers() {
    for (int i = 0; i < 100; ++i) {
      child_process probe({epmd_, "-port", std::to_string(port_), "-names"}, (dir_ / "probe.log").string());
      if (probe.wait(std::chrono::seconds(5))) return true;
      if (!process_->running()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::string epmd_;
  uint16_t port_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<child_process> process_;
};

inline private_epmd& test_epmd() {
  static private_epmd epmd;
  return epmd;
}

inline dist::dist_options test_dist_options(std::string cookie = "otp_test_cookie") {
  dist::dist_options o;
  o.cookie = std::move(cookie);
  o.epmd_port = test_epmd().port();
  o.listen_address = "127.0.0.1";
  return o;
}

/// A peer node `name` started with `argv` (a program and its arguments), its output in a log
/// file of the test's epmd directory.
inline std::unique_ptr<child_process> start_peer_node(const std::string& name,
                                                      std::vector<std::string> argv) {
  static int runs = 0;
  const auto log = test_epmd().dir() / (name + "_" + std::to_string(++runs) + ".out");
  return std::make_unique<child_process>(std::move(argv), log.string());
}

/// An erl node (-name Name@127.0.0.1) running `script` (Erlang expressions, ending in halt()).
inline std::unique_ptr<child_process> start_erl(const std::string& name, const std::string& cookie,
                                                const std::string& script) {
  return start_peer_node(name, {find_program("erl"), "-noshell", "-name", name + "@127.0.0.1", "-setcookie",
                                cookie, "-eval", script});
}

/// An elixir node (--name Name@127.0.0.1) running `script` (Elixir code; the node ends with it).
inline std::unique_ptr<child_process> start_elixir(const std::string& name, const std::string& cookie,
                                                   const std::string& script) {
  return start_peer_node(
      name, {find_program("elixir"), "--name", name + "@127.0.0.1", "--cookie", cookie, "-e", script});
}

/// The "R:Tag Value" lines an erl or elixir script prints, by tag.
inline std::map<std::string, std::string> results_of(const std::string& output) {
  std::map<std::string, std::string> out;
  std::stringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const std::size_t space = line.find(' ');
    if (space != std::string::npos && line.rfind("R:", 0) == 0)
      out[line.substr(2, space - 2)] = line.substr(space + 1);
  }
  return out;
}

/// What an erl script run to its end printed: `clean` when it halted by itself within the limit.
struct erl_script_run {
  bool started = false;
  bool clean = false;
  std::string output;
  std::map<std::string, std::string> results;  // its "R:Tag Value" lines
};

/// Runs `script` on an erl node (start_erl, cookie otp_test_cookie) until it halts.
inline erl_script_run run_erl_script(const std::string& name, const std::string& script,
                                     std::chrono::seconds limit = std::chrono::seconds(60)) {
  erl_script_run run;
  auto erl = start_erl(name, "otp_test_cookie", script);
  run.started = erl->started();
  if (!run.started) return run;
  run.clean = erl->wait(limit);
  run.output = erl->output();
  run.results = results_of(run.output);
  return run;
}

/// A gen_server answering Request with {echo, Request}, and crashing on `crash`.
class echo_server : public gen_server::behaviour<echo_server> {
 public:
  init_result init(term) { return ok(term()); }
  call_result handle_call(const term& request, const from&, term state) {
    if (request == atom("crash")) throw std::runtime_error("asked to crash");
    return reply(tuple(atom("echo"), request), state);
  }
};

}  // namespace otp::test
