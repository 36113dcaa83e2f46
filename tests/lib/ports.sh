# shellcheck shell=bash
# tests/lib/ports.sh: loopback ports for tests and benchmarks that start
# servers. Sourced.

# free_ports N: N distinct free TCP ports on 127.0.0.1, on one line (all
# bound at once, so none is handed out twice).
free_ports() {
	python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# wait_port PORT [SECONDS]: until something listens on 127.0.0.1:PORT.
wait_port() {
	local port=$1 tries=$((${2:-10} * 20))
	while [ "$tries" -gt 0 ]; do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

# sink_start DIR: Postfix's smtp-sink on a free loopback port, storing each
# mail as a file in DIR; sets SINK_PORT and SINK_PID, and returns non-zero
# when it could not start. Another suite may take the drawn port between
# the draw and the bind, so it draws again, up to five times.
sink_start() {
	local dir=$1 _
	mkdir -p "$dir" && chmod 777 "$dir"
	for _ in 1 2 3 4 5; do
		read -r SINK_PORT < <(free_ports 1)
		smtp-sink -u nobody -d "$dir/%M." "127.0.0.1:$SINK_PORT" 10 2>"$dir.err" &
		SINK_PID=$!
		wait_port "$SINK_PORT" 5 && kill -0 "$SINK_PID" 2>/dev/null && return 0
		kill "$SINK_PID" 2>/dev/null
	done
	cat "$dir.err" >&2
	return 1
}
