# Start and stop the cluster's host processes by PID (sourced by cluster.sh). A process is started
# in its own session with its log in $STATE/logs/NAME.log and its PID in $STATE/pids/NAME.pid;
# stopping it checks that the PID still runs the same executable, so a reused PID is never signalled.

process_running() {
  local pidfile="$STATE/pids/$1.pid" pid exe
  [ -f "$pidfile" ] || return 1
  read -r pid exe <"$pidfile"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ]
}

# start_process NAME BINARY ARGS...
start_process() { start_process_in "" "$@"; }

# start_process_in NETNS_FILE NAME BINARY ARGS...: the same in a node's network namespace (lib/nodes.sh),
# or the host's when NETNS_FILE is empty. nsenter enters the network namespace only and execs BINARY,
# so the PID recorded is the program's own and it shares the host's mounts (runc must see the
# kubelet's volume mounts).
start_process_in() {
  local netns="$1" name="$2" binary="$3"; shift 3
  mkdir -p "$STATE/pids" "$STATE/logs"
  if process_running "$name"; then return; fi
  local exe; exe="$(readlink -f "$(command -v "$binary")")"
  if [ -n "$netns" ]; then
    setsid nsenter --net="$netns" -- "$exe" "$@" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
  else
    setsid "$exe" "$@" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
  fi
  echo "$! $exe" >"$STATE/pids/$name.pid"
}

stop_process() {
  local name="$1" pidfile="$STATE/pids/$1.pid" pid exe i
  [ -f "$pidfile" ] || return 0
  if process_running "$name"; then
    read -r pid exe <"$pidfile"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null
    for i in $(seq 1 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}

# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND until it succeeds, or die naming the log to read.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what not ready after ${seconds}s (logs: $STATE/logs/)"
    sleep 0.5
  done
}
