# shellcheck shell=bash
# Sourced by the lab scripts: daemons they start are tracked and stopped by PID file.

# alive PIDFILE: the process recorded there runs.
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid PIDFILE NAME: TERM, wait up to 5 s, KILL if needed, remove the file.
stop_pid() {
  alive "$1" || { rm -f "$1"; return 0; }
  local pid; pid=$(cat "$1")
  kill "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$1"
  echo "lab: $2 stopped (pid $pid)"
}

# cpu_seconds PID: whole CPU seconds (user + system) the process has had. A TCG guest's progress follows
# the CPU its emulator gets, not the wall clock: on a busy machine the same boot takes longer by the
# clock but about the same CPU, so the labs' boot limits are in these seconds (with a wall-clock cap).
cpu_seconds() {
  local ticks
  ticks=$(sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}')
  echo $((ticks / $(getconf CLK_TCK)))
}
