%% The echo gen_server of `abench gscall` (the call server) and `abench gsidle` (N idle ones).
%% Its state counts the calls it has answered.
-module(abench_gs).
-behaviour(gen_server).
-export([start/0, init/1, handle_call/3, handle_cast/2]).

start() -> gen_server:start(?MODULE, [], []).

init([]) -> {ok, 0}.

handle_call({echo, X}, _From, N) -> {reply, X, N + 1};
handle_call(calls, _From, N) -> {reply, N, N}.

handle_cast(_Msg, N) -> {noreply, N}.
