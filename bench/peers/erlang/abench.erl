%% abench: the BEAM side of OTP++'s side-by-side benchmarks (bench/README.md).
%%
%% Build: erlc -o EBIN abench.erl abench_gs.erl
%% Run:   erl +S N:N +P 4000000 -noshell -pa EBIN -s abench main <bench> [int args...] -s init stop
%%
%% A run prints exactly one line on stdout,
%%   RESULT bench=<name> impl=erl schedulers=<N> args=<a,b> key=value ...
%% and halts with status 0. If the workload's own check fails, or anything in it crashes, it
%% prints `FAILED bench=<name> impl=erl ... <why>` on stderr and halts with status 1 (main/1
%% halts itself, so the trailing `-s init stop` is never reached and cannot turn a crash into
%% status 0). Times are wall-clock (erlang:monotonic_time), measured inside the VM, excluding
%% VM boot.
%%
%% Mailboxes: a BEAM process whose message queue grows large while it allocates pays a GC that
%% walks the whole queue each time (quadratic). Processes that receive floods (the counting
%% counter, the fanin receiver, the fjthrput workers, the fjcreate collector, the dist sink)
%% therefore run with
%% `{message_queue_data, off_heap}`, which is what an Erlang programmer does for them;
%% `fjthrput_onheap` keeps the default, as a note.
-module(abench).
-export([main/1, dist_peer/0]).

-define(NOW, erlang:monotonic_time(nanosecond)).
%% Every workload and its number of integer arguments.
-define(BENCHES, [{"pingpong", 1}, {"counting", 1}, {"fanin", 2}, {"fjthrput", 2},
                  {"fjthrput_onheap", 2}, {"fjcreate", 1}, {"threadring", 2}, {"big", 2},
                  {"spawnhold", 1}, {"gsidle", 1}, {"gscall", 2}, {"dist", 1}]).

%% ---------------------------------------------------------------------------------------------
%% Entry point and harness

main(Args) ->
    Strs = [str(A) || A <- Args],
    Status =
        case Strs of
            [Bench | Rest] ->
                {Pid, Ref} = spawn_monitor(fun() -> exit({abench_done, run_cli(Bench, Rest)}) end),
                receive
                    {'DOWN', Ref, process, Pid, {abench_done, ok}} ->
                        0;
                    {'DOWN', Ref, process, Pid, {abench_done, {failed, Why}}} ->
                        failed(Bench, Why),
                        1;
                    {'DOWN', Ref, process, Pid, Reason} ->
                        failed(Bench, io_lib:format("crashed: ~0p", [Reason])),
                        1
                end;
            [] ->
                io:format(standard_error, "usage: abench main <bench> [int args...]~n", []),
                2
        end,
    erlang:halt(Status).

str(A) when is_atom(A) -> atom_to_list(A);
str(S) when is_list(S) -> S.

run_cli(Bench, ArgStrs) ->
    put(abench_args, string:join(ArgStrs, ",")),
    Arity = proplists:get_value(Bench, ?BENCHES),
    case Arity =:= length(ArgStrs) of
        true ->
            Ints = [list_to_integer(S) || S <- ArgStrs],
            try run(list_to_atom(Bench), Ints)
            catch throw:{failed, Why} -> {failed, Why}
            end;
        false ->
            {failed, io_lib:format("unknown bench or wrong number of arguments: ~s ~s (known: ~s)",
                                   [Bench, string:join(ArgStrs, " "),
                                    string:join([B ++ "/" ++ integer_to_list(A)
                                                 || {B, A} <- ?BENCHES], " ")])}
    end.

failed(Bench, Why) ->
    io:format(standard_error, "FAILED bench=~s impl=erl schedulers=~p ~s~n",
              [Bench, erlang:system_info(schedulers_online), Why]).

check(true, _Fmt, _Args) -> ok;
check(false, Fmt, Args) -> throw({failed, io_lib:format(Fmt, Args)}).

result(Name, KVs) ->
    Pairs = [io_lib:format(" ~s=~s", [K, fmt(V)]) || {K, V} <- KVs],
    io:format("RESULT bench=~s impl=erl schedulers=~p args=~s~s~n",
              [Name, erlang:system_info(schedulers_online), get(abench_args), Pairs]),
    ok.

fmt(V) when is_float(V) -> float_to_list(V, [{decimals, 3}]);
fmt(V) when is_integer(V) -> integer_to_list(V);
fmt(V) when is_atom(V) -> atom_to_list(V).

secs(T0, T1) -> (T1 - T0) / 1.0e9.

%% Nearest-rank percentile (per mille): the ceil(Pm * Len / 1000)-th smallest, 1-based.
pct(Pm, Sorted, Len) -> element(max(1, (Pm * Len + 999) div 1000), Sorted).

rss_bytes() ->
    {ok, Bin} = file:read_file("/proc/self/statm"),
    [_Size, Resident | _] = string:lexemes(binary_to_list(Bin), " \n"),
    list_to_integer(Resident) * 4096.

%% Memory of every process but the caller: the caller's heap holds the pid list and would
%% otherwise count as per-process memory.
others_memory() ->
    {memory, Own} = erlang:process_info(self(), memory),
    erlang:memory(processes) - Own.

%% ---------------------------------------------------------------------------------------------
%% pingpong N: one pair, N round trips (2N messages).
run(pingpong, [N]) ->
    Pong = spawn_link(fun() -> pp_pong(0) end),
    T0 = ?NOW,
    Pongs = pp_ping(Pong, N, 0),
    T1 = ?NOW,
    Pong ! {stop, self()},
    Served = receive {served, X} -> X end,
    check(Pongs =:= N andalso Served =:= N, "~p pongs received, ~p pings served, expected ~p",
          [Pongs, Served, N]),
    S = secs(T0, T1),
    result(pingpong, [{"roundtrips", N}, {"secs", S}, {"msgs_per_s", 2 * N / S},
                      {"ns_per_roundtrip", S * 1.0e9 / N}]);

%% counting N: one producer floods a counter with N messages, then asks for the total.
run(counting, [N]) ->
    C = spawn_opt(fun() -> count_actor(0) end, [link, {message_queue_data, off_heap}]),
    T0 = ?NOW,
    count_send(C, N),
    C ! {get, self()},
    Total = receive {count, X} -> X end,
    T1 = ?NOW,
    check(Total =:= N, "counter says ~p, expected ~p", [Total, N]),
    S = secs(T0, T1),
    result(counting, [{"msgs", N}, {"secs", S}, {"msgs_per_s", N / S}]);

%% fanin S M: S senders each send M messages to one receiver (CAF's mailbox_performance).
%% Each sender sends its index with every message and an end marker after the last one; the
%% receiver stops after S end markers and reports how many messages it got and their index sum.
run(fanin, [S, M]) ->
    Self = self(),
    %% off_heap also lets the senders enqueue in parallel (OTP 25's signal queue buffers).
    Recv = spawn_opt(fun() -> fanin_recv(S, 0, 0, Self) end, [link, {message_queue_data, off_heap}]),
    T0 = ?NOW,
    [spawn_link(fun() -> fanin_send(Recv, I, M) end) || I <- lists:seq(1, S)],
    {Count, Sum} = receive {fanin_done, C, Su} -> {C, Su} end,
    T1 = ?NOW,
    check(Count =:= S * M andalso Sum =:= M * S * (S + 1) div 2,
          "received ~p messages (index sum ~p), expected ~p (~p)",
          [Count, Sum, S * M, M * S * (S + 1) div 2]),
    Secs = secs(T0, T1),
    result(fanin, [{"senders", S}, {"msgs", S * M}, {"secs", Secs}, {"msgs_per_s", S * M / Secs}]);

%% fjthrput A N: A workers, N messages each sent round-robin; each message computes sin^2(37.2).
run(fjthrput, [A, N]) -> fjthrput(fjthrput, A, N, off_heap);
run(fjthrput_onheap, [A, N]) -> fjthrput(fjthrput_onheap, A, N, on_heap);

%% fjcreate N: spawn N processes, send each one message; each computes, replies and exits.
run(fjcreate, [N]) ->
    %% The collector's queue holds up to N replies: off_heap keeps its GC linear.
    process_flag(message_queue_data, off_heap),
    Self = self(),
    T0 = ?NOW,
    fjc_spawn(Self, N),
    Got = fjc_wait(N, 0),
    T1 = ?NOW,
    Extra = receive fjc_done -> 1 after 0 -> 0 end,
    check(Got =:= N andalso Extra =:= 0, "~p replies (+~p extra), expected ~p", [Got, Extra, N]),
    S = secs(T0, T1),
    result(fjcreate, [{"actors", N}, {"secs", S}, {"spawns_per_s", N / S},
                      {"us_per_spawn", S * 1.0e6 / N}]);

%% threadring N R: N processes in a ring pass a token R hops; the token counts its hops.
run(threadring, [N, R]) ->
    Self = self(),
    First = ring_build(N, Self),
    T0 = ?NOW,
    First ! {token, R, 0},
    Hops = receive {ring_done, H} -> H end,
    T1 = ?NOW,
    First ! stop,
    check(Hops =:= R, "token arrived after ~p hops, expected ~p", [Hops, R]),
    S = secs(T0, T1),
    result(threadring, [{"ring", N}, {"hops", R}, {"secs", S}, {"hops_per_s", R / S},
                        {"ns_per_hop", S * 1.0e9 / R}]);

%% big W N: W processes, each sends N pings to random peers (itself included) and waits for
%% each pong before the next ping; 2*W*N messages. All keep serving pings until told to stop.
run(big, [W, N]) ->
    Self = self(),
    Actors = list_to_tuple([spawn_link(fun() -> big_actor(I, N, Self) end)
                            || I <- lists:seq(1, W)]),
    T0 = ?NOW,
    [element(I, Actors) ! {neighbors, Actors} || I <- lists:seq(1, W)],
    big_wait_done(W),
    T1 = ?NOW,
    [element(I, Actors) ! {big_stop, Self} || I <- lists:seq(1, W)],
    Stats = [receive {big_stats, P, Pongs, Served} -> {Pongs, Served} end
             || P <- tuple_to_list(Actors)],
    BadPongs = [Pongs || {Pongs, _} <- Stats, Pongs =/= N],
    Served = lists:sum([Sv || {_, Sv} <- Stats]),
    check(BadPongs =:= [] andalso Served =:= W * N,
          "~p actors got a wrong pong count; ~p pings served, expected ~p",
          [length(BadPongs), Served, W * N]),
    S = secs(T0, T1),
    result(big, [{"actors", W}, {"pings_per_actor", N}, {"secs", S},
                 {"msgs_per_s", 2 * W * N / S}]);

%% spawnhold N: N idle processes alive at once; memory per process and spawn rate, then
%% teardown.
run(spawnhold, [N]) ->
    hold(spawnhold, N, fun() -> spawn(fun() -> receive after infinity -> ok end end) end);

%% gsidle N: N idle gen_servers (abench_gs) alive at once; same measurements as spawnhold.
run(gsidle, [N]) ->
    hold(gsidle, N, fun() -> {ok, P} = abench_gs:start(), P end);

%% gscall N C: C clients each make N gen_server:calls to one echo server; latency percentiles.
run(gscall, [N, C]) ->
    {ok, Srv} = abench_gs:start(),
    Self = self(),
    T0 = ?NOW,
    %% Each client keeps its latencies in a preallocated atomics array (as the C++ sides reserve a
    %% vector), so that no growing list adds GC work to the calls it measures.
    Clients = [spawn_link(fun() ->
                                  Lat = atomics:new(N, [{signed, false}]),
                                  gs_loop(Srv, I * N, 1, N, Lat),
                                  Self ! {lat, self(), Lat}
                          end)
               || I <- lists:seq(0, C - 1)],
    Arrays = [receive {lat, P, L} -> L end || P <- Clients],
    T1 = ?NOW,
    Lats = [atomics:get(A, K) || A <- Arrays, K <- lists:seq(1, N)],
    Calls = gen_server:call(Srv, calls),
    gen_server:stop(Srv),
    Len = length(Lats),
    Unset = length([L || L <- Lats, L =:= 0]),
    check(Len =:= N * C andalso Unset =:= 0 andalso Calls =:= N * C,
          "~p latencies (~p unset), server counted ~p calls, expected ~p", [Len, Unset, Calls, N * C]),
    Sorted = list_to_tuple(lists:sort(Lats)),
    Secs = secs(T0, T1),
    result(gscall, [{"clients", C}, {"calls", N * C}, {"secs", Secs},
                    {"calls_per_s", N * C / Secs},
                    {"p50_ns", pct(500, Sorted, Len)}, {"p99_ns", pct(990, Sorted, Len)},
                    {"p999_ns", pct(999, Sorted, Len)}, {"max_ns", element(Len, Sorted)},
                    %% Little's law: the latencies' sum over the run's length is the mean
                    %% number of calls in flight (C: the clients overlapped; 1: one at a time).
                    {"calls_in_flight", lists:sum(Lats) / (Secs * 1.0e9)}]);

%% dist N: this node and a peer node (started by run_dist.sh with `-s abench dist_peer`) on
%% loopback: N one-way sends of {msg, 1, <<16 bytes>>} to a sink, which then reports its
%% count, and N div 10 synchronous round trips to an echo process.
run(dist, [N]) ->
    Peer = dist_peer_name(),
    dist_connect(Peer, 200),
    Sink = {abench_sink, Peer},
    Echo = {abench_echo, Peer},
    Sink ! {reset, self()},
    receive reset_ok -> ok after 10000 -> check(false, "peer sink does not answer", []) end,
    Payload = {msg, 1, <<"0123456789abcdef">>},
    T0 = ?NOW,
    dist_send(Sink, Payload, N),
    Sink ! {get, self()},
    Count = receive {count, X} -> X end,
    T1 = ?NOW,
    M = max(1, N div 10),
    T2 = ?NOW,
    Pongs = dist_rtt(Echo, M, 0),
    T3 = ?NOW,
    rpc:cast(Peer, erlang, halt, [0]),
    check(Count =:= N andalso Pongs =:= M, "sink counted ~p of ~p; ~p of ~p pongs",
          [Count, N, Pongs, M]),
    S1 = secs(T0, T1),
    S2 = secs(T2, T3),
    result(dist, [{"oneway_msgs", N}, {"oneway_msgs_per_s", N / S1}, {"rtts", M},
                  {"rtt_us", S2 * 1.0e6 / M}]).

%% ---------------------------------------------------------------------------------------------
%% Workload helpers

pp_ping(_Pong, 0, Got) -> Got;
pp_ping(Pong, N, Got) ->
    Pong ! {ping, self()},
    receive pong -> pp_ping(Pong, N - 1, Got + 1) end.

pp_pong(Served) ->
    receive
        {ping, From} -> From ! pong, pp_pong(Served + 1);
        {stop, From} -> From ! {served, Served}
    end.

count_send(_, 0) -> ok;
count_send(C, N) -> C ! inc, count_send(C, N - 1).

count_actor(K) ->
    receive
        inc -> count_actor(K + 1);
        {get, From} -> From ! {count, K}
    end.

fanin_send(R, I, 0) -> R ! {fanin_end, I};
fanin_send(R, I, M) -> R ! {msg, I}, fanin_send(R, I, M - 1).

fanin_recv(0, Count, Sum, Main) -> Main ! {fanin_done, Count, Sum};
fanin_recv(Open, Count, Sum, Main) ->
    receive
        {msg, I} -> fanin_recv(Open, Count + 1, Sum + I, Main);
        {fanin_end, _} -> fanin_recv(Open - 1, Count, Sum, Main)
    end.

fjthrput(Name, A, N, MQD) ->
    Self = self(),
    Actors = [spawn_opt(fun() -> fj_actor(Self, N, 0) end, [link, {message_queue_data, MQD}])
              || _ <- lists:seq(1, A)],
    T0 = ?NOW,
    fj_send(Actors, N),
    Counts = [receive {done, P, K} -> K end || P <- Actors],
    T1 = ?NOW,
    Bad = [K || K <- Counts, K =/= N],
    check(Bad =:= [], "~p workers processed a wrong number of messages", [length(Bad)]),
    S = secs(T0, T1),
    result(Name, [{"actors", A}, {"msgs", A * N}, {"mqd", MQD}, {"secs", S},
                  {"msgs_per_s", A * N / S}]).

fj_send(_, 0) -> ok;
fj_send(Actors, N) -> fj_send1(Actors), fj_send(Actors, N - 1).
fj_send1([]) -> ok;
fj_send1([A | As]) -> A ! msg, fj_send1(As).

fj_actor(Parent, N, N) -> Parent ! {done, self(), N};
fj_actor(Parent, N, K) ->
    receive msg -> compute(37.2), fj_actor(Parent, N, K + 1) end.

compute(Theta) ->
    S = math:sin(Theta),
    R = S * S,
    true = R > 0.

fjc_spawn(_, 0) -> ok;
fjc_spawn(Self, N) ->
    P = spawn(fun fjc_actor/0),
    P ! {go, Self},
    fjc_spawn(Self, N - 1).

fjc_actor() ->
    receive {go, From} -> compute(37.2), From ! fjc_done end.

fjc_wait(0, Got) -> Got;
fjc_wait(N, Got) -> receive fjc_done -> fjc_wait(N - 1, Got + 1) end.

ring_build(N, Main) ->
    %% N-1 nodes pointing forward; the last one is told the first to close the ring.
    Last = spawn_link(fun() -> ring_node(Main, undefined) end),
    First = lists:foldl(fun(_, Next) -> spawn_link(fun() -> ring_node(Main, Next) end) end,
                        Last, lists:seq(1, N - 1)),
    Last ! {set_next, First},
    First.

ring_node(Main, Next) ->
    receive
        {token, 0, Hops} -> Main ! {ring_done, Hops}, ring_node(Main, Next);
        {token, K, Hops} -> Next ! {token, K - 1, Hops + 1}, ring_node(Main, Next);
        {set_next, P} -> ring_node(Main, P);
        stop -> Next ! stop
    end.

big_actor(Id, N, Main) ->
    receive
        {neighbors, Ns} ->
            rand:seed(exsss, {Id, Id * 7, Id * 13}),
            big_ping(Ns, Main, N, 0, 0)
    end.

big_ping(_Ns, Main, 0, Pongs, Served) ->
    Main ! big_exit,
    big_serve(Pongs, Served);
big_ping(Ns, Main, K, Pongs, Served) ->
    element(rand:uniform(tuple_size(Ns)), Ns) ! {ping, self()},
    big_wait(Ns, Main, K, Pongs, Served).

big_wait(Ns, Main, K, Pongs, Served) ->
    receive
        {ping, From} -> From ! pong, big_wait(Ns, Main, K, Pongs, Served + 1);
        pong -> big_ping(Ns, Main, K - 1, Pongs + 1, Served)
    end.

big_serve(Pongs, Served) ->
    receive
        {ping, From} -> From ! pong, big_serve(Pongs, Served + 1);
        {big_stop, Main} -> Main ! {big_stats, self(), Pongs, Served}
    end.

big_wait_done(0) -> ok;
big_wait_done(W) -> receive big_exit -> big_wait_done(W - 1) end.

hold(Name, N, Start) ->
    erlang:garbage_collect(),
    Base = erlang:system_info(process_count),
    M0 = others_memory(),
    R0 = rss_bytes(),
    T0 = ?NOW,
    Pids = hold_start(Start, N, []),
    T1 = ?NOW,
    M1 = others_memory(),
    R1 = rss_bytes(),
    Alive = length([P || P <- Pids, is_process_alive(P)]),
    check(Alive =:= N, "~p of ~p processes alive", [Alive, N]),
    case Name of
        gsidle ->
            %% every server answers a call, with its own index
            Bad = hold_calls(Pids, 1, 0),
            check(Bad =:= 0, "~p of ~p servers answered wrongly", [Bad, N]);
        spawnhold ->
            ok
    end,
    T2 = ?NOW,
    lists:foreach(fun(P) -> exit(P, kill) end, Pids),
    wait_gone(Pids, Base, erlang:monotonic_time(millisecond) + 60000),
    T3 = ?NOW,
    Left = length([P || P <- Pids, is_process_alive(P)]),
    check(Left =:= 0, "~p of ~p processes still alive after kill", [Left, N]),
    S = secs(T0, T1),
    result(Name, [{"procs", N}, {"spawn_secs", S}, {"us_per_spawn", S * 1.0e6 / N},
                  {"bytes_per_proc", (M1 - M0) / N}, {"rss_bytes_per_proc", (R1 - R0) / N},
                  {"kill_secs", secs(T2, T3)}]).

hold_start(_Start, 0, Acc) -> Acc;
hold_start(Start, N, Acc) -> hold_start(Start, N - 1, [Start() | Acc]).

hold_calls([], _I, Bad) -> Bad;
hold_calls([P | Ps], I, Bad) ->
    case gen_server:call(P, {echo, I}) of
        I -> hold_calls(Ps, I + 1, Bad);
        _ -> hold_calls(Ps, I + 1, Bad + 1)
    end.

%% Until the process count is back to its baseline, or (should some unrelated process have
%% started meanwhile) none of Pids is alive; lists:any stops at the first live one.
wait_gone(Pids, Base, Deadline) ->
    Gone = erlang:system_info(process_count) =< Base orelse
        not lists:any(fun erlang:is_process_alive/1, Pids),
    case Gone of
        true -> ok;
        false ->
            check(erlang:monotonic_time(millisecond) < Deadline,
                  "processes did not end within 60 s of kill", []),
            timer:sleep(1),
            wait_gone(Pids, Base, Deadline)
    end.

gs_loop(_S, _V, K, N, _Lat) when K > N -> ok;
gs_loop(S, V, K, N, Lat) ->
    T0 = ?NOW,
    Reply = gen_server:call(S, {echo, V}),
    T1 = ?NOW,
    case Reply of
        V -> atomics:put(Lat, K, T1 - T0), gs_loop(S, V + 1, K + 1, N, Lat);
        _ -> exit({bad_reply, V, Reply})
    end.

%% The peer's node name: `-abench_peer NAME` (default abench_peer) on this node's host.
dist_peer_name() ->
    Name = case init:get_argument(abench_peer) of
               {ok, [[N]]} -> N;
               _ -> "abench_peer"
           end,
    [_, Host] = string:split(atom_to_list(node()), "@"),
    list_to_atom(Name ++ "@" ++ Host).

%% The peer node may still be booting: retry for up to Tries * 50 ms.
dist_connect(Peer, 0) -> check(false, "cannot reach peer node ~p", [Peer]);
dist_connect(Peer, Tries) ->
    Ready = net_kernel:connect_node(Peer) andalso
        is_pid(rpc:call(Peer, erlang, whereis, [abench_echo])),
    case Ready of
        true -> ok;
        false -> timer:sleep(50), dist_connect(Peer, Tries - 1)
    end.

dist_send(_, _, 0) -> ok;
dist_send(Sink, P, N) -> Sink ! P, dist_send(Sink, P, N - 1).

dist_rtt(_, 0, Got) -> Got;
dist_rtt(Echo, N, Got) ->
    Echo ! {ping, self()},
    receive pong -> dist_rtt(Echo, N - 1, Got + 1) end.

%% ---------------------------------------------------------------------------------------------
%% The peer node of `dist`: `erl -sname NAME -noshell -pa EBIN -s abench dist_peer`.
dist_peer() ->
    Sink = spawn_opt(fun() -> dist_sink(0) end, [{message_queue_data, off_heap}]),
    register(abench_sink, Sink),
    register(abench_echo, spawn(fun dist_echo/0)),
    ok.

dist_sink(K) ->
    receive
        {msg, _, _} -> dist_sink(K + 1);
        {reset, From} -> From ! reset_ok, dist_sink(0);
        {get, From} -> From ! {count, K}, dist_sink(K)
    end.

dist_echo() ->
    receive {ping, From} -> From ! pong, dist_echo() end.
